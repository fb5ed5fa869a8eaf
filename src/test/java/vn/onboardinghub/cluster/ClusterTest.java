package vn.onboardinghub.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.HubProcess;
import vn.onboardinghub.providers.ahamove.AhamoveSandbox;
import vn.onboardinghub.providers.its.ItsSandbox;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hub instances, each its own JVM, as an enterprise runs them: the official Artemis distribution with a login, one
 * PostgreSQL database, one inbox and outbox, the same keys; one provider simulator behind both. What must hold
 * whichever instance a request reaches, and when one instance or the broker goes away.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    static final String PG = System.getProperty("hub.test.pg.url", "").isBlank()
            ? "jdbc:postgresql://127.0.0.1:5432/test" : System.getProperty("hub.test.pg.url");
    private static final int BATCH_CONCURRENCY = 4;

    @TempDir
    static Path work;
    private final WireMockServer providers = new WireMockServer(options().dynamicPort().containerThreads(32));
    private final String database = "hub_cluster_" + UUID.randomUUID().toString().replace("-", "");
    private ArtemisDistribution broker;
    private Path inbox;
    private Path outbox;
    private final List<Hub> hubs = new java.util.ArrayList<>();

    /** One instance: its process handle and its log. */
    private record Hub(String name, HubProcess process, String logName) {
        String log() throws Exception {
            return HubProcess.log(logName);
        }
    }

    @BeforeAll
    void startCluster() throws Exception {
        providers.start();
        new AhamoveSandbox().register(providers, "/ahamove");
        new ItsSandbox().register(providers, "/its");
        // merchants of the batch a test kills in the middle answer slowly, so that it is in the middle
        providers.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlPathEqualTo(AHAMOVE)).atPriority(1)
                .withQueryParam("mobile", matching("84977.*"))
                .willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}").withFixedDelay(100)));

        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        broker = ArtemisDistribution.create(work.resolve("broker"), freePort(), "broker-" + UUID.randomUUID());
        broker.start();

        inbox = work.resolve("shared/inbox");
        outbox = work.resolve("shared/outbox");
        Map<String, String> shared = sharedSettings(database, broker, inbox, outbox, BATCH_CONCURRENCY, providers.baseUrl());
        shared.put("hub.providers.its.base-url", providers.baseUrl() + "/its/v1/partner");
        shared.put("hub.providers.its.api-key", new ItsSandbox().credentials().get("api-key"));
        for (String name : List.of("a", "b")) {
            hubs.add(new Hub(name, new HubProcess(work.resolve("hub-" + name), shared), "cluster-" + name + ".log"));
        }
        // both at once: the instances start side by side, as a Deployment's replicas do
        CompletableFuture.allOf(hubs.stream().map(hub -> CompletableFuture.runAsync(() -> {
            try {
                hub.process().start(hub.logName());
            } catch (Exception e) {
                throw new IllegalStateException("instance " + hub.name() + " did not start", e);
            }
        })).toArray(CompletableFuture[]::new)).join();
    }

    @AfterAll
    void stopCluster() throws Exception {
        hubs.forEach(hub -> hub.process().killAll());
        if (broker != null) {
            broker.kill();
        }
        providers.stop();
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    @Order(1)
    void aRequestIdIsOnboardedOnceWhicheverInstancesItReaches() throws Exception {
        String request = """
                {"requestId": "cluster-once-1", "merchant": {"externalId": "M-ONCE", "name": "Shop", "phone": "0912000001"},
                 "providers": ["ahamove"]}""";
        List<CompletableFuture<HttpResponse<String>>> replies = hubs.stream().flatMap(hub -> IntStream.range(0, 3)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> post(hub, "/api/v1/onboardings", request)))).toList();

        List<JsonNode> results = replies.stream().map(CompletableFuture::join).map(ClusterTest::json).toList();
        assertThat(results).extracting(r -> r.path("onboardingId").asText()).containsOnly(results.get(0).path("onboardingId").asText());
        // a repeat arriving while the first still runs answers that onboarding as it stands (PENDING)
        assertThat(results).extracting(r -> r.path("status").asText()).containsOnly("SUCCEEDED", "PENDING").contains("SUCCEEDED");
        assertThat(json(hubs.get(1).process().get("/api/v1/onboardings/" + results.get(0).path("onboardingId").asText()))
                .path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(providers.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE))
                .withQueryParam("mobile", com.github.tomakehurst.wiremock.client.WireMock.equalTo("84912000001")))).hasSize(1);
    }

    @Test
    @Order(2)
    void theItsCallbackCompletesOnTheOtherInstance() throws Exception {
        Hub a = hubs.get(0);
        Hub b = hubs.get(1);
        JsonNode started = json(post(a, "/api/v1/onboardings", """
                {"merchant": {"externalId": "M-ITS", "name": "Shop", "phone": "0912000002", "email": "its@example.vn"},
                 "providers": ["its"]}"""));
        assertThat(started.at("/results/its/status").asText()).isEqualTo("ACTION_REQUIRED");
        // the browser comes back through the load balancer: here to instance b, not a, which started the link
        String redirect = query(URI.create(started.at("/results/its/action/url").asText())).get("redirect_url");
        String state = query(URI.create(redirect)).get("state");
        HttpResponse<String> callback = b.process().get("/api/v1/callbacks/its?state="
                + java.net.URLEncoder.encode(state, StandardCharsets.UTF_8) + "&token=browser-token&shop_id=100200300");
        assertThat(callback.statusCode()).isEqualTo(200);

        JsonNode onA = json(a.process().get("/api/v1/onboardings/" + started.path("onboardingId").asText()));
        assertThat(onA.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(onA.at("/results/its/credentials/shopId").asText()).isEqualTo("100200300");
    }

    @Test
    @Order(3)
    void busRequestsAreSharedByTheInstancesWithOneResultEach() throws Exception {
        int requests = 24;
        Map<String, Double> before = onboardingsPerInstance();
        try (ActiveMQConnectionFactory factory = broker.connectionFactory(); JMSContext jms = factory.createContext()) {
            Queue requestQueue = jms.createQueue("onboarding.requests");
            for (int i = 1; i <= requests; i++) {
                jms.createProducer().setJMSCorrelationID("bus-" + i).send(requestQueue, """
                        {"merchant": {"externalId": "M-BUS-%d", "name": "Shop", "phone": "0913%06d"}, "providers": ["ahamove"]}"""
                        .formatted(i, i));
            }
            Map<String, Integer> results = new TreeMap<>();
            try (JMSConsumer consumer = jms.createConsumer(jms.createQueue("onboarding.results"), "JMSCorrelationID LIKE 'bus-%'")) {
                while (results.size() < requests) {
                    Message result = consumer.receive(30_000);
                    assertThat(result).as("a result for each request within 30 s").isNotNull();
                    assertThat(json(result.getBody(String.class)).path("status").asText()).isEqualTo("SUCCEEDED");
                    results.merge(result.getJMSCorrelationID(), 1, Integer::sum);
                }
                // a second result would come right behind the first ones
                assertThat(consumer.receive(2_000)).as("no second result").isNull();
            }
            assertThat(results.values()).containsOnly(1);
        }
        Map<String, Double> after = onboardingsPerInstance();
        assertThat(after.values().stream().mapToDouble(Double::doubleValue).sum()
                - before.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(requests);
        assertThat(after.keySet()).allSatisfy(name -> assertThat(after.get(name)).as("instance " + name + " took part")
                .isGreaterThan(before.get(name)));
    }

    @Test
    @Order(4)
    void aFileInTheSharedInboxIsProcessedOnce() throws Exception {
        int records = 12;
        drop("shared.csv", csv(records, "0914"));

        awaitDone("shared.csv", Duration.ofSeconds(60));
        Map<Integer, JsonNode> lines = resultLines("shared.csv");
        assertThat(lines.keySet()).containsExactlyElementsOf(IntStream.rangeClosed(1, records).boxed().toList());
        Map<String, Long> calls = callsPerPhone("849140");
        assertThat(calls).hasSize(records);
        assertThat(calls.values()).containsOnly(1L);
        long owners = 0;
        for (Hub hub : hubs) {
            owners += hub.log().contains("file shared.csv: done") ? 1 : 0;
        }
        assertThat(owners).as("one instance processed the file").isEqualTo(1);
    }

    @Test
    @Order(5)
    void aBrokerRestartIsSurvived() throws Exception {
        broker.stop();
        for (Hub hub : hubs) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> hub.process().managementGet("/observe/health/ready").statusCode() == 503);
        }
        broker.start();
        for (Hub hub : hubs) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> hub.process().managementGet("/observe/health/ready").statusCode() == 200);
        }
        try (ActiveMQConnectionFactory factory = broker.connectionFactory(); JMSContext jms = factory.createContext()) {
            jms.createProducer().setJMSCorrelationID("after-restart").send(jms.createQueue("onboarding.requests"), """
                    {"merchant": {"externalId": "M-RESTART", "name": "Shop", "phone": "0915000001"}, "providers": ["ahamove"]}""");
            try (JMSConsumer consumer = jms.createConsumer(jms.createQueue("onboarding.results"), "JMSCorrelationID = 'after-restart'")) {
                Message result = consumer.receive(30_000);
                assertThat(result).isNotNull();
                assertThat(json(result.getBody(String.class)).path("status").asText()).isEqualTo("SUCCEEDED");
            }
        }
    }

    /** Last: it kills an instance. */
    @Test
    @Order(6)
    void whenTheBatchOwnerIsKilledTheOtherInstanceFinishesItsBatch() throws Exception {
        int records = 200;
        drop("slow.csv", csv(records, "0977"));
        Path results = outbox.resolve("slow.results.ndjson");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(results) && Files.readAllLines(results).size() >= records / 5);
        Hub owner = null;
        for (Hub hub : hubs) {
            if (hub.log().contains("file slow.csv: " + records + " records")) {
                owner = hub;
            }
        }
        assertThat(owner).as("the instance processing the batch").isNotNull();
        owner.process().killAll();
        Hub killed = owner;
        Hub survivor = hubs.stream().filter(hub -> hub != killed).findFirst().orElseThrow();
        int callsAtKill = callsPerPhone("849770").size();
        assertThat(callsAtKill).as("killed in the middle").isLessThan(records);

        // taken over within the takeover time (5 s here) plus the work left, well under 60 s
        awaitDone("slow.csv", Duration.ofSeconds(60));
        assertThat(survivor.log()).contains("file slow.csv: " + records + " records").contains("resuming batch");
        Map<Integer, JsonNode> lines = resultLines("slow.csv");
        assertThat(lines.keySet()).containsExactlyElementsOf(IntStream.rangeClosed(1, records).boxed().toList());
        assertThat(lines.values()).allSatisfy(line -> assertThat(line.path("status").asText()).isEqualTo("SUCCEEDED"));
        JsonNode summary = MAPPER.readTree(outbox.resolve("slow.summary.json").toFile());
        assertThat(summary.path("records").asInt()).isEqualTo(records);
        assertThat(summary.at("/byStatus/SUCCEEDED").asInt()).isEqualTo(records);
        // every merchant registered; only the calls in flight at the kill may have been made twice
        Map<String, Long> calls = callsPerPhone("849770");
        assertThat(calls).hasSize(records);
        assertThat(calls.values().stream().filter(n -> n > 1).count()).isLessThanOrEqualTo(BATCH_CONCURRENCY);
        JsonNode batch = MAPPER.readTree(survivor.process().get("/api/v1/batches").body()).get(0);
        assertThat(batch.path("file").asText()).isEqualTo("slow.csv");
        assertThat(batch.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(batch.path("processed").asInt()).isEqualTo(records);
    }

    /** A CSV batch of {@code records} Ahamove merchants, phones {@code <phonePrefix><6 digits>}. */
    static String csv(int records, String phonePrefix) {
        StringBuilder csv = new StringBuilder("external_id,name,phone,providers\n");
        for (int i = 1; i <= records; i++) {
            csv.append("M-%s-%d,Shop %d,%s%06d,ahamove\n".formatted(phonePrefix, i, i, phonePrefix, i));
        }
        return csv.toString();
    }

    private void drop(String name, String content) throws Exception {
        drop(inbox, name, content);
    }

    /** Written under a hidden name, then renamed: the instances see it complete. */
    static void drop(Path inbox, String name, String content) throws Exception {
        Files.createDirectories(inbox);
        Path hidden = inbox.resolve("." + name);
        Files.writeString(hidden, content);
        Files.move(hidden, inbox.resolve(name));
    }

    private void awaitDone(String name, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() ->
                Files.exists(outbox.resolve(name.replaceAll("\\.csv$", "") + ".summary.json"))
                        && Files.exists(inbox.resolve(".done").resolve(name)) && !Files.exists(inbox.resolve(name)));
    }

    /** The result lines by record number; two lines for one record fail. */
    private Map<Integer, JsonNode> resultLines(String name) throws Exception {
        Map<Integer, JsonNode> byLine = new TreeMap<>();
        for (String line : Files.readAllLines(outbox.resolve(name.replaceAll("\\.csv$", "") + ".results.ndjson"))) {
            JsonNode json = MAPPER.readTree(line);
            assertThat(byLine.put(json.path("line").asInt(), json)).as("one line for record " + json.path("line")).isNull();
        }
        return byLine;
    }

    private Map<String, Long> callsPerPhone(String prefix) {
        return callsPerPhone(providers, prefix);
    }

    /** Ahamove registrations received, by phone (Ahamove gets 84…), of the phones starting with the prefix. */
    static Map<String, Long> callsPerPhone(WireMockServer providers, String prefix) {
        return providers.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE))).stream()
                .map(r -> r.queryParameter("mobile").firstValue()).filter(phone -> phone.startsWith(prefix))
                .collect(Collectors.groupingBy(phone -> phone, Collectors.counting()));
    }

    /** hub_onboardings_total of each instance, all statuses together. */
    private Map<String, Double> onboardingsPerInstance() throws Exception {
        Map<String, Double> counts = new HashMap<>();
        for (Hub hub : hubs) {
            counts.put(hub.name(), hub.process().managementGet("/observe/metrics").body().lines()
                    .filter(line -> line.startsWith("hub_onboardings_total{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum());
        }
        return counts;
    }

    private static HttpResponse<String> post(Hub hub, String path, String json) {
        try {
            return hub.process().post(path, json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response.body());
    }

    static JsonNode json(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            values.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
    /**
     * The settings every instance of a two-instance test shares: its own PostgreSQL database, the Artemis distribution
     * with a login, one inbox and outbox, one callback secret, fast retries, Ahamove at the simulator.
     */
    static Map<String, String> sharedSettings(String database, ArtemisDistribution broker, Path inbox, Path outbox,
                                              int concurrency, String simulatorBaseUrl) {
        Map<String, String> shared = new LinkedHashMap<>();
        shared.put("hub.db.url", PG.replaceAll("/[^/]*$", "/" + database));
        shared.put("hub.db.username", "postgres");
        shared.put("hub.broker.embedded", "false");
        shared.put("hub.broker.url", broker.url);
        shared.put("hub.broker.username", ArtemisDistribution.USER);
        shared.put("hub.broker.password", broker.password);
        shared.put("hub.callback.secret", "cluster-callback-secret-shared-by-all");
        shared.put("hub.file.inbox", inbox.toString());
        shared.put("hub.file.outbox", outbox.toString());
        shared.put("hub.file.read-lock-min-age-ms", "200");
        shared.put("hub.file.concurrency", String.valueOf(concurrency));
        shared.put("hub.file.takeover-after-seconds", "5");
        shared.put("hub.retry.initial-delay-ms", "20");
        shared.put("hub.retry.max-delay-ms", "100");
        shared.put("hub.providers.ahamove.base-url", simulatorBaseUrl + "/ahamove");
        shared.put("hub.providers.ahamove.api-key", new AhamoveSandbox().credentials().get("api-key"));
        return shared;
    }
}
