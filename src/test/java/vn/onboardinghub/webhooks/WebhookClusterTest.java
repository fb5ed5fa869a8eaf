package vn.onboardinghub.webhooks;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import vn.onboardinghub.HubProcess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hub instances (each its own JVM) on one PostgreSQL schema, both delivering webhooks as fast as they can: every
 * event reaches the receiver, and none twice (counted per webhook-id at the receiver), whichever instance stored it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookClusterTest {
    static final String PG = System.getProperty("hub.test.pg.url", "").isBlank()
            ? "jdbc:postgresql://127.0.0.1:5432/test" : System.getProperty("hub.test.pg.url");
    static final String ERP = "erp-key-0123456789abcdef";
    static final int ONBOARDINGS = 40;
    private final String schema = "hub_webhooks_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String secret = WebhooksTest.secret();
    private final List<HubProcess> hubs = new ArrayList<>();
    private WebhookReceiver receiver;

    @BeforeAll
    void start() throws Exception {
        try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        receiver = new WebhookReceiver(secret);
        Map<String, String> settings = new HashMap<>();
        settings.put("hub.sandbox.enabled", "true");
        settings.put("hub.db.url", PG + "?currentSchema=" + schema);
        settings.put("hub.db.username", "postgres");
        settings.put("hub.callback.secret", "cluster-callback-secret-0123456789abcdef");
        settings.put("hub.api.clients.erp.keys", ERP);
        settings.put("hub.api.clients.erp.webhook-url", receiver.url());
        settings.put("hub.api.clients.erp.webhook-secret", secret);
        settings.put("hub.webhooks.poll-ms", "20");
        for (int i = 1; i <= 2; i++) {
            hubs.add(new HubProcess(Files.createTempDirectory("hub-webhooks-" + i), settings));
        }
        // one after the other: both migrate the same schema, and a start-up takes a while on a busy machine
        for (int i = 0; i < hubs.size(); i++) {
            hubs.get(i).start("webhook-cluster-" + (i + 1) + ".log");
        }
    }

    @AfterAll
    void stop() throws Exception {
        hubs.forEach(HubProcess::killAll);
        if (receiver != null) {
            receiver.close();
        }
        try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
            c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Test
    void twoInstancesOnOneDatabaseDeliverEachEventOnce() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Integer>> sent = IntStream.range(0, ONBOARDINGS).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                HubProcess hub = hubs.get(i % 2);
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + hub.port + "/api/v1/onboardings"))
                            .header("X-API-Key", ERP).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"merchant\": {\"externalId\": \"M-" + i + "\", \"name\":"
                                    + " \"Shop\", \"phone\": \"0912345678\"}, \"providers\": [\"ahamove\"]}")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, callers)).toList();
            assertThat(sent.stream().map(CompletableFuture::join)).containsOnly(200);
        } finally {
            callers.shutdown();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.verified().size() == ONBOARDINGS);
        // and no second copy of any of them comes later
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == ONBOARDINGS);
        Map<String, Long> perId = receiver.received().stream().collect(Collectors.groupingBy(WebhookReceiver.Received::id,
                Collectors.counting()));
        assertThat(perId).hasSize(ONBOARDINGS).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
        assertThat(receiver.verified().stream().map(r -> r.json().path("type").asText()).distinct().toList())
                .containsExactly("onboarding.completed");
        assertThat(receiver.verified().stream().map(r -> r.json().at("/data/externalId").asText()).collect(Collectors.toSet()))
                .hasSize(ONBOARDINGS);
        // both instances delivered some: the claim is shared, not one instance idle
        Map<String, Long> byInstance;
        try (Connection c = DriverManager.getConnection(PG + "?currentSchema=" + schema, "postgres", "");
             var rs = c.createStatement().executeQuery("SELECT state, attempts FROM event_outbox")) {
            List<String> states = new ArrayList<>();
            while (rs.next()) {
                states.add(rs.getString(1) + "/" + rs.getInt(2));
            }
            byInstance = states.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        }
        assertThat(byInstance).containsExactly(Map.entry("DELIVERED/1", (long) ONBOARDINGS));
    }
}
