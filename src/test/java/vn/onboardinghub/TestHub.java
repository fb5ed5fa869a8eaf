package vn.onboardinghub;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real hub (Camel Main, YAML routes, platform-http, H2 or PostgreSQL) started in-process on free ports with
 * its own data directory, plus an HTTP client that talks to it as a user would.
 */
public final class TestHub implements AutoCloseable {
    public static final String API_KEY = "test-key";
    static final String TAKEOVER = "hub.file.takeover-after-seconds";
    /**
     * The inbox's owner is replaced after this many seconds without its heartbeat, and a hub starting waits a fifth of
     * it before it first tries to own the inbox: shorter than the default (20) so that a test's file is taken at once
     * and a hub restarted after a kill takes its inbox back within seconds. Tests of the ownership itself set their own.
     */
    static final String TEST_TAKEOVER_SECONDS = "3";
    /**
     * A setting given this value is set to a port free when the hub starts (e.g. {@code hub.hawtio.port}); read it back
     * with {@link #setting}. Should another process take the port first, the hub is started again on other ports.
     */
    public static final String FREE_PORT = "${free-port}";
    private final Main main;
    private final int port;
    private final Path dataDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int managementPort;

    private TestHub(Main main, int port, int managementPort, Path dataDir) {
        this.main = main;
        this.managementPort = managementPort;
        this.port = port;
        this.dataDir = dataDir;
    }

    /** A hub with sandbox mode off, API key {@value #API_KEY}, plus the given overrides. */
    public static TestHub start(Map<String, String> overrides) throws Exception {
        Path dataDir = overrides.containsKey("hub.data-dir") ? Path.of(overrides.get("hub.data-dir"))
                : Files.createTempDirectory("hub-test");
        return start(dataDir, overrides);
    }

    public static TestHub start(Path dataDir, Map<String, String> overrides) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnFreePorts(dataDir, overrides);
            } catch (Exception e) {
                // a port picked free here can be taken by another process before the hub binds it: pick others
                if (attempt == PORT_RACE_ATTEMPTS || !takenPortWasPickedHere(e, overrides)) {
                    throw e;
                }
            }
        }
    }

    private static final int PORT_RACE_ATTEMPTS = 5;

    private static boolean takenPortWasPickedHere(Throwable e, Map<String, String> overrides) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("cannot listen on") || message.contains("cannot start the Hawtio console on port")) {
                return Stream.concat(Stream.of("camel.server.port", "camel.management.port", "hub.broker.url"),
                                overrides.keySet().stream().filter(key -> FREE_PORT.equals(overrides.get(key))))
                        .anyMatch(key -> message.contains(key)
                                && (!overrides.containsKey(key) || FREE_PORT.equals(overrides.get(key))));
            }
        }
        return false;
    }

    private static TestHub startOnFreePorts(Path dataDir, Map<String, String> overrides) throws Exception {
        int port = freePort();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("camel.server.port", String.valueOf(port));
        int managementPort = freePort();
        props.put("camel.management.port", String.valueOf(managementPort));
        props.put("hub.broker.url", "tcp://127.0.0.1:" + freePort());
        props.put("hub.data-dir", dataDir.toString());
        props.put("hub.sandbox.enabled", "false");
        props.put("hub.api.keys", API_KEY);
        props.put("hub.retry.initial-delay-ms", "20");
        props.put("hub.retry.max-delay-ms", "100");
        props.put("camel.component.http.response-timeout", "2000");
        props.put("camel.component.http.so-timeout", "2000");
        // the Hawtio console only where a test asks for it (hub.hawtio.enabled=true and a free hub.hawtio.port)
        props.put("hub.hawtio.enabled", "false");
        // tests that play one provider answer after another must not trip its circuit breaker: ProviderGuardsTest sets its own
        props.put("hub.circuit-breaker.minimum-calls", "1000");
        props.put("hub.circuit-breaker.window", "1000");
        props.put(TAKEOVER, TEST_TAKEOVER_SECONDS);
        props.putAll(overrides);
        for (Map.Entry<String, String> setting : props.entrySet()) {
            if (FREE_PORT.equals(setting.getValue())) {
                setting.setValue(String.valueOf(freePort()));
            }
        }
        Main main = Application.create();
        props.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            // releases what started before the failure (the data directory, the broker, the servers)
            try {
                main.stop();
            } catch (Exception stopping) {
                e.addSuppressed(stopping);
            }
            throw e;
        }
        return new TestHub(main, port, managementPort, dataDir);
    }

    /**
     * Provider settings pointing every provider of the catalog at one simulator, each under {@code /<provider>} (plus
     * its sandbox's base path), with the partner credentials its sandbox accepts.
     */
    public static Map<String, String> providersAt(String simulatorBaseUrl) {
        return providersAt(simulatorBaseUrl, new ProviderCatalog(new ObjectMapper()));
    }

    /** The same for the providers of {@code catalog}. */
    public static Map<String, String> providersAt(String simulatorBaseUrl, ProviderCatalog catalog) {
        Map<String, String> props = new LinkedHashMap<>();
        for (ProviderAdapter provider : catalog.all()) {
            String prefix = "hub.providers." + provider.name() + ".";
            props.put(prefix + "base-url", simulatorBaseUrl + "/" + provider.name() + provider.sandbox().basePath());
            provider.sandbox().credentials().forEach((key, value) -> props.put(prefix + key, value));
        }
        return props;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The value of a setting as the running hub resolved it (e.g. a port picked by {@link #FREE_PORT}). */
    public String setting(String key) {
        return context().resolvePropertyPlaceholders("{{" + key + "}}");
    }

    /** A URL on the management port (health, metrics). */
    public String managementUrl(String path) {
        return "http://localhost:" + managementPort + path;
    }

    public String url(String path) {
        return "http://localhost:" + port + path;
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return post(path, json, API_KEY);
    }

    public HttpResponse<String> post(String path, String json, String apiKey) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, API_KEY);
    }

    public HttpResponse<String> get(String path, String apiKey) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : url(path)))
                .timeout(Duration.ofSeconds(60)).GET();
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Forgets which providers already succeeded for which merchant, so that tests reusing one merchant see each
     * provider called again (the hub reuses an earlier success for the same externalId).
     */
    public void forgetEarlierSuccesses() {
        try (var connection = context().getRegistry().lookupByNameAndType("hubDataSource", javax.sql.DataSource.class).getConnection();
             var statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM provider_success");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        main.stop();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
