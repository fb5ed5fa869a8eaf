package vn.onboardinghub.sandbox;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import vn.onboardinghub.providers.ProviderAdapter;

import java.util.List;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * Sandbox mode: one in-process simulator server on a free loopback port, with each provider's documented
 * behaviour under {@code /<provider>}.
 */
public class Sandbox implements AutoCloseable {
    private final WireMockServer server;

    public Sandbox(List<ProviderAdapter> providers) {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(64).disableRequestJournal().notifier(new Slf4jNotifier(false)));
        server.start();
        for (ProviderAdapter provider : providers) {
            provider.sandbox().register(server, "/" + provider.name());
        }
    }

    /** What {@code hub.providers.<name>.base-url} is in sandbox mode. */
    public String baseUrl(ProviderAdapter provider) {
        return server.baseUrl() + "/" + provider.name() + provider.sandbox().basePath();
    }

    @Override
    public void close() {
        server.stop();
    }
}
