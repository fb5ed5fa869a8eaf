package vn.onboardinghub.providers;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import java.util.Map;

/** A provider's built-in simulator for sandbox mode: stubs that follow the provider's documentation. */
public interface ProviderSandbox {

    /** Adds this provider's stubs under {@code pathPrefix} (e.g. {@code /ghtk}) of the shared simulator server. */
    void register(WireMockServer server, String pathPrefix);

    /** The part of the provider's base URL after the host, e.g. ITS's per-partner {@code /v1/partner}. */
    default String basePath() {
        return "";
    }

    /** The partner credentials the simulator accepts, as {@code hub.providers.<name>.*} keys. */
    Map<String, String> credentials();

    /** An answer with a JSON body (UTF-8), as the simulators give them. */
    static ResponseDefinitionBuilder json(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", "application/json; charset=utf-8").withBody(body);
    }
}
