package vn.onboardinghub.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.HubProcess;
import vn.onboardinghub.providers.ahamove.AhamoveSandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static vn.onboardinghub.cluster.ClusterTest.AHAMOVE;
import static vn.onboardinghub.cluster.ClusterTest.PG;
import static vn.onboardinghub.cluster.ClusterTest.callsPerPhone;
import static vn.onboardinghub.cluster.ClusterTest.json;

/**
 * The failure drill: two instances (each its own JVM), the Artemis distribution with a login, one PostgreSQL database,
 * a batch of a few hundred records against slowed providers, asynchronous REST onboardings and bus requests; then the
 * hub's own infrastructure fails under them: the database refuses connections for 8 s, the broker is killed and
 * started again, the instance owning the batch is killed. Nothing may be lost and nobody has to step in: one result
 * line per record and none failed by the outages, the batch completed, every REST onboarding final without being
 * sent again, one result per bus request, and both instances ready again (the killed one restarted, as an
 * orchestrator does).
 */
class FailureDrillTest {
    private static final int RECORDS = 300;
    private static final int CONCURRENCY = 4;
    private static final int REST_PER_INSTANCE = 10;
    private static final int BUS_REQUESTS = 20;
    /**
     * Longer than the slowed providers' answer (2 s), so that onboardings whose providers were called while the database
     * was away must wait for it to save their results, and than several of the hub's tries ({@link #MAX_BACKOFF_MS}).
     */
    private static final Duration OUTAGE = Duration.ofSeconds(8);
    /** Work waiting out the outage tries again at least this often: it notices the database is back within this. */
    private static final String MAX_BACKOFF_MS = "500";
    /** Above the outage: an onboarding paused by it is finished by its own instance, not taken over. */
    private static final int ABANDONED_AFTER_SECONDS = 30;

    @TempDir
    Path work;
    private final WireMockServer providers = new WireMockServer(options().dynamicPort().containerThreads(96));
    private final String database = "hub_drill_" + UUID.randomUUID().toString().replace("-", "");
    private final Map<String, HubProcess> hubs = new LinkedHashMap<>();
    private ArtemisDistribution broker;
    private Path inbox;
    private Path outbox;

    @AfterEach
    void stop() throws Exception {
        hubs.values().forEach(HubProcess::killAll);
        if (broker != null) {
            broker.kill();
        }
        providers.stop();
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    void nothingIsLostWhenTheBatchOwnerTheDatabaseAndTheBrokerFail() throws Exception {
        startCluster();
        ClusterTest.drop(inbox, "drill.csv", ClusterTest.csv(RECORDS, "0977"));
        Map<String, String> restOnboardings = new LinkedHashMap<>();
        for (Map.Entry<String, HubProcess> hub : hubs.entrySet()) {
            for (int i = 1; i <= REST_PER_INSTANCE; i++) {
                restOnboardings.put(postAsync(hub.getValue(), "0975" + hub.getKey().charAt(0) % 10 + "%05d".formatted(i)),
                        hub.getKey());
            }
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> resultLineCount() >= RECORDS / 10);

        // 1. the batch owner killed in the middle of the batch, with asynchronous REST onboardings in the middle of
        // their provider call
        String ownerName = hubs.keySet().stream().filter(name -> log(name).contains("file drill.csv: " + RECORDS + " records"))
                .findFirst().orElseThrow(() -> new AssertionError("no instance took the batch"));
        HubProcess owner = hubs.get(ownerName);
        String survivorName = hubs.keySet().stream().filter(name -> !name.equals(ownerName)).findFirst().orElseThrow();
        HubProcess survivor = hubs.get(survivorName);
        StubMapping inFlight = providers.stubFor(get(urlPathEqualTo(AHAMOVE)).atPriority(1)
                .withQueryParam("mobile", matching("849790.*"))
                .willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}").withFixedDelay(60_000)));
        for (int i = 1; i <= REST_PER_INSTANCE; i++) {
            restOnboardings.put(postAsync(owner, "0979%06d".formatted(i)), ownerName);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> callsPerPhone(providers, "849790").size() == REST_PER_INSTANCE);
        assertThat(batchDone()).as("the batch still running when its owner is killed").isFalse();
        owner.killAll();
        providers.removeStub(inFlight);

        // 2. the database refuses every connection for OUTAGE, the hub's open sessions cut, while the other instance
        // goes on with the batch, REST onboardings and bus requests (their providers answering slowly: in flight)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                log(survivorName).contains("resuming batch") && resultLineCount() >= RECORDS / 5);
        for (int i = 1; i <= REST_PER_INSTANCE; i++) {
            restOnboardings.put(postAsync(survivor, "09756%05d".formatted(i)), survivorName);
        }
        sendBusRequests();
        Instant outageStarted = Instant.now();
        allowConnections(false);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> survivor.managementGet("/observe/health/ready").statusCode() == 503);
        Duration left = OUTAGE.minus(Duration.between(outageStarted, Instant.now()));
        if (!left.isNegative()) {
            // the outage lasts what it lasts, whatever the hub does meanwhile
            await().pollDelay(left).atMost(left.plusSeconds(5)).until(() -> true);
        }
        allowConnections(true);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> survivor.managementGet("/observe/health/ready").statusCode() == 200);

        // 3. the broker killed (SIGKILL) and started again; the killed instance restarted, as an orchestrator does
        broker.kill();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> survivor.managementGet("/observe/health/ready").statusCode() == 503);
        broker.start();
        CompletableFuture<Void> restarted = CompletableFuture.runAsync(() -> {
            try {
                owner.start("drill-" + ownerName + "-restarted.log");
            } catch (Exception e) {
                throw new IllegalStateException("the killed instance did not start again", e);
            }
        });

        // what must hold, all checked (soft assertions), so that the report names every failing one
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(waitUntil(Duration.ofSeconds(90), this::batchDone))
                .as("the batch completes without a manual step (summary written, file in .done)").isTrue();
        Map<Integer, List<JsonNode>> lines = resultLines();
        softly.assertThat(lines.keySet()).as("a result line for every record")
                .containsExactlyElementsOf(IntStream.rangeClosed(1, RECORDS).boxed().toList());
        softly.assertThat(lines.entrySet().stream().filter(line -> line.getValue().size() > 1).map(Map.Entry::getKey).toList())
                .as("records with more than one result line").isEmpty();
        softly.assertThat(lines.values().stream().flatMap(List::stream).filter(line -> !line.path("status").asText().equals("SUCCEEDED"))
                        .map(line -> line.path("line").asText() + ": " + line.path("status").asText() + " "
                                + line.at("/error/code").asText() + " " + line.at("/error/message").asText()).toList())
                .as("records failed (every provider call succeeds: only an outage can fail one)").isEmpty();
        JsonNode batches = json(survivor.get("/api/v1/batches").body());
        softly.assertThat(batches.path(0).path("file").asText() + " " + batches.path(0).path("status").asText())
                .as("the batch as GET /api/v1/batches shows it").isEqualTo("drill.csv COMPLETED");

        softly.assertThat(waitUntil(Duration.ofSeconds(90), () -> pendingOf(survivor, restOnboardings.keySet()).isEmpty()))
                .as("every asynchronous REST onboarding final, none sent again").isTrue();
        Map<String, String> restStatus = new TreeMap<>();
        for (String id : restOnboardings.keySet()) {
            restStatus.put(restOnboardings.get(id) + " " + id, json(survivor.get("/api/v1/onboardings/" + id).body()).path("status").asText());
        }
        softly.assertThat(restStatus).as("REST onboardings (instance id: status)").allSatisfy((id, status) ->
                assertThat(status).as(id).isEqualTo("SUCCEEDED"));

        Map<String, List<String>> busResults = busResults();
        softly.assertThat(busResults.keySet()).as("a result for every bus request")
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, BUS_REQUESTS).mapToObj(i -> "drill-bus-" + i).toList());
        softly.assertThat(busResults).as("one SUCCEEDED result per bus request").allSatisfy((id, statuses) ->
                assertThat(statuses).as(id).containsExactly("SUCCEEDED"));

        try {
            restarted.join();
        } catch (RuntimeException e) {
            softly.fail(e.getMessage() + ": " + e.getCause());
        }
        for (HubProcess hub : hubs.values()) {
            softly.assertThat(hub.managementGet("/observe/health/ready").statusCode()).as("instance ready at the end").isEqualTo(200);
        }
        softly.assertAll();
    }

    private void startCluster() throws Exception {
        providers.start();
        new AhamoveSandbox().register(providers, "/ahamove");
        // the batch's merchants (0977…), the REST ones (0975…) and the bus ones (0976…) answer slowly: work is in
        // flight whenever something fails
        providers.stubFor(get(urlPathEqualTo(AHAMOVE)).atPriority(2).withQueryParam("mobile", matching("84977.*"))
                .willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}").withFixedDelay(250)));
        providers.stubFor(get(urlPathEqualTo(AHAMOVE)).atPriority(2).withQueryParam("mobile", matching("8497[56].*"))
                .willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}").withFixedDelay(2_000)));
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        broker = ArtemisDistribution.create(work.resolve("broker"), ClusterTest.freePort(), "broker-" + UUID.randomUUID());
        broker.start();

        inbox = work.resolve("shared/inbox");
        outbox = work.resolve("shared/outbox");
        Map<String, String> shared = ClusterTest.sharedSettings(database, broker, inbox, outbox, CONCURRENCY, providers.baseUrl());
        shared.put("hub.db.pool-size", "8");
        shared.put("hub.onboarding.abandoned-after-seconds", String.valueOf(ABANDONED_AFTER_SECONDS));
        shared.put("hub.onboarding.sweep-seconds", "2");
        shared.put("hub.outage.max-backoff-ms", MAX_BACKOFF_MS);
        for (String name : List.of("a", "b")) {
            hubs.put(name, new HubProcess(work.resolve("hub-" + name), shared));
        }
        CompletableFuture.allOf(hubs.entrySet().stream().map(hub -> CompletableFuture.runAsync(() -> {
            try {
                hub.getValue().start("drill-" + hub.getKey() + ".log");
            } catch (Exception e) {
                throw new IllegalStateException("instance " + hub.getKey() + " did not start", e);
            }
        })).toArray(CompletableFuture[]::new)).join();
    }

    /** {@code POST ?async=true} of an Ahamove onboarding; its onboardingId. */
    private static String postAsync(HubProcess hub, String phone) throws Exception {
        var accepted = hub.post("/api/v1/onboardings?async=true", """
                {"requestId": "drill-rest-%s", "merchant": {"externalId": "M-REST-%s", "name": "Shop", "phone": "%s"},
                 "providers": ["ahamove"]}""".formatted(phone, phone, phone));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return json(accepted.body()).path("onboardingId").asText();
    }

    private void sendBusRequests() throws Exception {
        try (ActiveMQConnectionFactory factory = broker.connectionFactory(); JMSContext jms = factory.createContext()) {
            Queue requests = jms.createQueue("onboarding.requests");
            for (int i = 1; i <= BUS_REQUESTS; i++) {
                jms.createProducer().setJMSCorrelationID("drill-bus-" + i).send(requests, """
                        {"requestId": "drill-bus-%d", "merchant": {"externalId": "M-BUS-%d", "name": "Shop", "phone": "0976%06d"},
                         "providers": ["ahamove"]}""".formatted(i, i, i));
            }
        }
    }

    /** The results on the bus by correlation id: every status received, until none comes for 5 s. */
    private Map<String, List<String>> busResults() throws Exception {
        Map<String, List<String>> results = new TreeMap<>();
        try (ActiveMQConnectionFactory factory = broker.connectionFactory(); JMSContext jms = factory.createContext();
             JMSConsumer consumer = jms.createConsumer(jms.createQueue("onboarding.results"), "JMSCorrelationID LIKE 'drill-bus-%'")) {
            for (Message result = consumer.receive(60_000); result != null; result = consumer.receive(5_000)) {
                results.computeIfAbsent(result.getJMSCorrelationID(), id -> new ArrayList<>())
                        .add(json(result.getBody(String.class)).path("status").asText());
            }
        }
        return results;
    }

    /** {@code ALTER DATABASE … ALLOW_CONNECTIONS}; refusing also ends every session the hubs hold. */
    private void allowConnections(boolean allowed) throws Exception {
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS " + allowed);
            if (!allowed) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
            }
        }
    }

    private static void awaitReady(Iterable<HubProcess> instances, Duration atMost) {
        for (HubProcess hub : instances) {
            await().atMost(atMost).pollInterval(Duration.ofMillis(250))
                    .until(() -> hub.managementGet("/observe/health/ready").statusCode() == 200);
        }
    }

    private boolean batchDone() {
        return Files.exists(outbox.resolve("drill.summary.json")) && Files.exists(inbox.resolve(".done").resolve("drill.csv"))
                && !Files.exists(inbox.resolve("drill.csv"));
    }

    private long resultLineCount() throws Exception {
        Path results = outbox.resolve("drill.results.ndjson");
        return Files.exists(results) ? Files.readAllLines(results).size() : 0;
    }

    /** Every result line, by record number. */
    private Map<Integer, List<JsonNode>> resultLines() throws Exception {
        Path results = outbox.resolve("drill.results.ndjson");
        if (!Files.exists(results)) {
            return Map.of();
        }
        return Files.readAllLines(results).stream().map(ClusterTest::json)
                .collect(Collectors.groupingBy(line -> line.path("line").asInt(), TreeMap::new, Collectors.toList()));
    }

    private static List<String> pendingOf(HubProcess hub, Iterable<String> onboardingIds) throws Exception {
        List<String> pending = new ArrayList<>();
        for (String id : onboardingIds) {
            if (json(hub.get("/api/v1/onboardings/" + id).body()).path("status").asText().equals("PENDING")) {
                pending.add(id);
            }
        }
        return pending;
    }

    /** Whether the condition held within the time (false, not an exception, so that every check is reported). */
    private static boolean waitUntil(Duration atMost, Callable<Boolean> condition) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(condition);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    private static String log(String hubName) {
        try {
            return HubProcess.log("drill-" + hubName + ".log");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
