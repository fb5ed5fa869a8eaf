package vn.onboardinghub.webhooks;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import vn.onboardinghub.HubProcess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Then one of them is killed while both hold events in flight: none is lost, and only the killed one's are sent again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookClusterTest {
    static final String PG = System.getProperty("hub.test.pg.url", "").isBlank()
            ? "jdbc:postgresql://127.0.0.1:5432/test" : System.getProperty("hub.test.pg.url");
    static final String ERP = "erp-key-0123456789abcdef";
    static final int ONBOARDINGS = 40;
    /** The attempts' timeouts: a claim's lease is twice their sum plus 5 s (47 s). */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    // long enough that no held attempt times out while both instances are brought to hold claims, on a busy machine too
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(20);
    static final Duration LEASE = CONNECT_TIMEOUT.plus(RESPONSE_TIMEOUT).multipliedBy(2).plusSeconds(5);
    /** hub.webhooks.concurrency: attempts in flight per instance at most. */
    static final int CONCURRENCY = 8;
    private final String schema = "hub_webhooks_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String secret = WebhooksTest.secret();
    private final List<HubProcess> hubs = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
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
        settings.put("hub.webhooks.concurrency", String.valueOf(CONCURRENCY));
        settings.put("hub.webhooks.connect-timeout-ms", String.valueOf(CONNECT_TIMEOUT.toMillis()));
        settings.put("hub.webhooks.response-timeout-ms", String.valueOf(RESPONSE_TIMEOUT.toMillis()));
        for (int i = 1; i <= 2; i++) {
            hubs.add(new HubProcess(Files.createTempDirectory("hub-webhooks-" + i), settings));
        }
        // one after the other: both migrate the same schema, and a start-up takes a while on a busy machine
        for (int i = 0; i < hubs.size(); i++) {
            processes.add(hubs.get(i).start("webhook-cluster-" + (i + 1) + ".log"));
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
    @Order(1)
    void twoInstancesOnOneDatabaseDeliverEachEventOnce() throws Exception {
        assertThat(onboard("M-", 0, ONBOARDINGS).stream().map(HttpResponse::statusCode)).containsOnly(200);

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

    @Test
    @Order(2)
    void anInstanceKilledMidDeliveryLosesNoEventAndOnlyItsEventsAreSentAgain() throws Exception {
        int wave = 10;
        receiver.hold();
        List<HttpResponse<String>> sent = new ArrayList<>(onboard("K-", 0, wave));
        // at least one instance now waits for the receiver with what it claimed: a second wave goes to the other one
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.held() > 0);
        sent.addAll(onboard("K-", wave, 2 * wave));
        assertThat(sent.stream().map(HttpResponse::statusCode)).containsOnly(200);
        Set<String> onboardingIds = sent.stream().map(r -> json(r.body()).path("onboardingId").asText()).collect(Collectors.toSet());
        assertThat(onboardingIds).hasSize(2 * wave);

        // both instances hold claims, and every attempt they can make at once is waiting at the receiver
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Map<String, Set<String>> claims = claims(onboardingIds);
            return claims.size() == 2 && receiver.held() == claims.values().stream()
                    .mapToInt(ids -> Math.min(ids.size(), CONCURRENCY)).sum();
        });
        Map<String, Set<String>> claimsAtKill = claims(onboardingIds);
        Set<String> receivedAtKill = receiver.received().stream().map(WebhookReceiver.Received::id).collect(Collectors.toSet());
        processes.get(1).destroyForcibly().waitFor();
        receiver.release();

        // the survivor records its answered attempts; the killed instance's claims stay until their lease has passed
        List<String> instances = new ArrayList<>(claimsAtKill.keySet());
        await().atMost(RESPONSE_TIMEOUT.plusSeconds(10)).until(() -> {
            Set<String> delivered = delivered(onboardingIds);
            return instances.stream().filter(instance -> delivered.containsAll(claimsAtKill.get(instance))).count() == 1;
        });
        Set<String> deliveredBeforeTakeover = delivered(onboardingIds);
        String killed = instances.stream().filter(instance -> !deliveredBeforeTakeover.containsAll(claimsAtKill.get(instance)))
                .findFirst().orElseThrow();
        Set<String> killedHeld = claimsAtKill.get(killed);
        assertThat(deliveredBeforeTakeover).doesNotContainAnyElementsOf(killedHeld);

        // taken over once the lease has passed
        await().atMost(LEASE.plusSeconds(30)).until(() -> delivered(onboardingIds).size() == 2 * wave);
        Map<String, String> states = new HashMap<>();
        try (Connection c = DriverManager.getConnection(PG + "?currentSchema=" + schema, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT event_id, onboarding_id, state, attempts FROM event_outbox")) {
            while (rs.next()) {
                if (onboardingIds.contains(rs.getString(2))) {
                    states.put(rs.getString(1), rs.getString(3) + "/" + rs.getInt(4));
                }
            }
        }
        // an attempt cut off by the kill is never recorded: each event took one recorded attempt
        assertThat(states).hasSize(2 * wave).allSatisfy((id, state) -> assertThat(state).as(id).isEqualTo("DELIVERED/1"));

        // none lost: each event verified at the receiver, one for each onboarding
        List<WebhookReceiver.Received> verified = receiver.verified().stream()
                .filter(r -> states.containsKey(r.id())).toList();
        assertThat(verified.stream().map(WebhookReceiver.Received::id)).containsExactlyInAnyOrderElementsOf(states.keySet());
        assertThat(verified.stream().map(r -> r.json().at("/data/onboardingId").asText()))
                .containsExactlyInAnyOrderElementsOf(onboardingIds);
        // sent again only what the killed instance held: twice each it had sent before the kill, once every other
        Map<String, Long> perId = receiver.received().stream().map(WebhookReceiver.Received::id).filter(states::containsKey)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        Set<String> cutOff = new HashSet<>(killedHeld);
        cutOff.retainAll(receivedAtKill);
        assertThat(cutOff).isNotEmpty();
        assertThat(perId).hasSize(2 * wave).allSatisfy((id, count) ->
                assertThat(count).as(id).isEqualTo(cutOff.contains(id) ? 2L : 1L));
    }

    /** POSTs onboardings {@code from} to {@code to} (external ids {@code prefix + i}), in turn to each instance. */
    private List<HttpResponse<String>> onboard(String prefix, int from, int to) {
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            return IntStream.range(from, to).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                HubProcess hub = hubs.get(i % 2);
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + hub.port + "/api/v1/onboardings"))
                            .header("X-API-Key", ERP).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"merchant\": {\"externalId\": \"" + prefix + i
                                    + "\", \"name\": \"Shop\", \"phone\": \"0912345678\"}, \"providers\": [\"ahamove\"]}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, callers)).toList().stream().map(CompletableFuture::join).toList();
        } finally {
            callers.shutdown();
        }
    }

    /** The PENDING events of these onboardings claimed now, by instance (event_outbox.locked_by). */
    private Map<String, Set<String>> claims(Set<String> onboardingIds) throws Exception {
        Map<String, Set<String>> claims = new HashMap<>();
        for (String[] row : outbox(onboardingIds, "state = 'PENDING' AND locked_by IS NOT NULL", "locked_by")) {
            claims.computeIfAbsent(row[1], instance -> new HashSet<>()).add(row[0]);
        }
        return claims;
    }

    /** The DELIVERED events of these onboardings. */
    private Set<String> delivered(Set<String> onboardingIds) throws Exception {
        return outbox(onboardingIds, "state = 'DELIVERED'", "state").stream().map(row -> row[0]).collect(Collectors.toSet());
    }

    private List<String[]> outbox(Set<String> onboardingIds, String where, String column) throws Exception {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PG + "?currentSchema=" + schema, "postgres", "");
             PreparedStatement select = c.prepareStatement("SELECT event_id, " + column + " FROM event_outbox WHERE "
                     + where + " AND onboarding_id = ANY (?)")) {
            select.setArray(1, c.createArrayOf("varchar", onboardingIds.toArray()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        return rows;
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String body) {
        try {
            return WebhookReceiver.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
