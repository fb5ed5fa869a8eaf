package vn.onboardinghub.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.HubProcess;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.store.OnboardingStore;
import vn.onboardinghub.providers.ghtk.GhtkSandbox;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An asynchronous REST onboarding whose instance is killed (SIGKILL) in the middle of its provider call is finished by
 * the instances still running, after {@code hub.onboarding.abandoned-after-seconds}, without its caller sending it
 * again: by one of them only, with the secret it was sent with (the GHTK password), which is then erased.
 */
class AbandonedOnboardingTest {
    private static final String PG = System.getProperty("hub.test.pg.url", "").isBlank()
            ? "jdbc:postgresql://127.0.0.1:5432/test" : System.getProperty("hub.test.pg.url");
    private static final String GHTK = "/ghtk/services/shops/token";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int ONBOARDINGS = 10;

    @TempDir
    Path work;
    private final WireMockServer providers = new WireMockServer(options().dynamicPort().containerThreads(32));
    private final String database = "hub_abandoned_" + UUID.randomUUID().toString().replace("-", "");
    private final List<HubProcess> hubs = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        hubs.forEach(HubProcess::killAll);
        providers.stop();
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    void anOnboardingLeftPendingByAKilledInstanceIsFinishedOnceByAnotherWithoutBeingSentAgain() throws Exception {
        providers.start();
        new GhtkSandbox().register(providers, "/ghtk");
        // the instance to be killed is in the middle of every call when it dies
        StubMapping slow = providers.stubFor(post(urlPathEqualTo(GHTK)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.email", matching("slow-.*")))
                .willReturn(okJson("{\"success\": true, \"data\": {\"code\": \"S1\", \"token\": \"slow\"}}").withFixedDelay(60_000)));
        try (Connection c = DriverManager.getConnection(PG, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        Map<String, String> shared = new LinkedHashMap<>();
        shared.put("hub.db.url", PG.replaceAll("/[^/]*$", "/" + database));
        shared.put("hub.db.username", "postgres");
        shared.put("hub.db.pool-size", "4");
        shared.put("hub.callback.secret", "abandoned-test-callback-secret-shared-by-all");
        shared.put("hub.providers.ghtk.base-url", providers.baseUrl() + "/ghtk");
        new GhtkSandbox().credentials().forEach((key, value) -> shared.put("hub.providers.ghtk." + key, value));
        shared.put("hub.onboarding.abandoned-after-seconds", "5");
        shared.put("hub.onboarding.sweep-seconds", "1");
        // the two that stay, then the one that is killed (whose onboardings are younger than the window when it dies)
        for (String name : List.of("b", "c", "a")) {
            hubs.add(new HubProcess(work.resolve("hub-" + name), shared));
        }
        CompletableFuture.allOf(Stream.of(0, 1).map(i -> CompletableFuture.runAsync(() -> {
            try {
                hubs.get(i).start("abandoned-" + "bc".charAt(i) + ".log");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).toArray(CompletableFuture[]::new)).join();
        HubProcess killed = hubs.get(2);
        killed.start("abandoned-a.log");

        Map<String, String> passwordById = new LinkedHashMap<>();
        for (int i = 1; i <= ONBOARDINGS; i++) {
            String password = "pw-" + UUID.randomUUID();
            HttpResponse<String> accepted = killed.post("/api/v1/onboardings?async=true", """
                    {"requestId": "abandoned-%d", "merchant": {"externalId": "M-AB-%d", "name": "Shop", "phone": "0912%06d"},
                     "providers": ["ghtk"], "ghtk": {"email": "slow-%d@example.vn", "password": "%s"}}"""
                    .formatted(i, i, i, i, password));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            passwordById.put(MAPPER.readTree(accepted.body()).path("onboardingId").asText(), password);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ghtkCalls().size() == ONBOARDINGS);
        killed.killAll();
        providers.removeStub(slow);
        assertThat(ghtkCalls()).as("no call after the kill yet").hasSize(ONBOARDINGS);

        // left PENDING: the request is kept to finish it, its password encrypted
        Map<String, String> pending = rows("pending_request");
        assertThat(pending).hasSize(ONBOARDINGS);
        pending.forEach((id, kept) -> assertThat(kept).isNotNull().doesNotContain(passwordById.get(id)));

        HubProcess survivor = hubs.get(0);
        for (String id : passwordById.keySet()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                    MAPPER.readTree(survivor.get("/api/v1/onboardings/" + id).body()).path("status").asText().equals("SUCCEEDED"));
        }
        JsonNode finished = MAPPER.readTree(hubs.get(1).get("/api/v1/onboardings/" + passwordById.keySet().iterator().next()).body());
        assertThat(finished.at("/results/ghtk/credentials/token").asText()).isNotBlank().isNotEqualTo("slow");

        // each called once more, by one instance, with the password it was sent with
        Map<String, Long> callsByPassword = ghtkCalls().stream().map(r -> json(r.getBodyAsString()).path("password").asText())
                .collect(Collectors.groupingBy(p -> p, Collectors.counting()));
        assertThat(callsByPassword).containsOnlyKeys(passwordById.values());
        assertThat(callsByPassword.values()).containsOnly(2L);
        int finishedByB = count(HubProcess.log("abandoned-b.log"), "left unfinished by a stopped process: finishing it");
        int finishedByC = count(HubProcess.log("abandoned-c.log"), "left unfinished by a stopped process: finishing it");
        assertThat(finishedByB + finishedByC).isEqualTo(ONBOARDINGS);

        // once final, the kept request is erased: the password is nowhere in the database, the logs or the data dirs
        assertThat(rows("pending_request").values()).containsOnly((String) null);
        String everyRow = String.join("\n", rows("onboarding_id || ' ' || result_json || ' ' || request_json").values());
        for (String password : passwordById.values()) {
            assertThat(everyRow).doesNotContain(password);
            for (String log : List.of("abandoned-a.log", "abandoned-b.log", "abandoned-c.log")) {
                assertThat(HubProcess.log(log)).doesNotContain(password);
            }
        }
        try (Stream<Path> files = Files.walk(work)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                passwordById.values().forEach(password -> assertThat(content).as(file.toString()).doesNotContain(password));
            }
        }
    }

    /**
     * One instance on its embedded database: what a process killed after the claim leaves (claimed through the store,
     * nothing else) is finished by the hub alone; one whose request is no longer valid (a provider gone from the
     * catalog since) ends FAILED rather than PENDING for ever.
     */
    @Test
    void aLoneInstanceFinishesWhatItsKilledPredecessorLeftPending() throws Exception {
        providers.start();
        new GhtkSandbox().register(providers, "/ghtk");
        Map<String, String> settings = new LinkedHashMap<>(TestHub.providersAt(providers.baseUrl()));
        // the window is longer than an onboarding takes (or it would be taken over again while it runs)
        settings.put("hub.onboarding.abandoned-after-seconds", "5");
        settings.put("hub.onboarding.sweep-seconds", "1");
        try (TestHub hub = TestHub.start(settings)) {
            OnboardingStore store = hub.context().getRegistry().lookupByNameAndType("onboardingStore", OnboardingStore.class);
            OnboardingRequest.Merchant merchant = new OnboardingRequest.Merchant("M-LEFT", "Shop", "0912000009",
                    "left@example.vn", null, null, null, null);
            OnboardingRequest request = new OnboardingRequest("left-1", merchant, List.of("ghtk"))
                    .withInputs(Map.of("ghtk", Map.of("password", "left-password")), Set.of("ghtk.password"));
            String left = UUID.randomUUID().toString();
            store.claim(OnboardingResult.pending(left, "left-1", "M-LEFT", "default"), request);
            String gone = UUID.randomUUID().toString();
            store.claim(OnboardingResult.pending(gone, "left-2", "M-LEFT", "default"),
                    new OnboardingRequest("left-2", merchant, List.of("retired")));

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                    !json(hub.get("/api/v1/onboardings/" + left).body()).path("status").asText().equals("PENDING")
                            && !json(hub.get("/api/v1/onboardings/" + gone).body()).path("status").asText().equals("PENDING"));
            JsonNode finished = json(hub.get("/api/v1/onboardings/" + left).body());
            assertThat(finished.path("status").asText()).isEqualTo("SUCCEEDED");
            // finished once: every call GHTK got is one of its attempts (a slow first answer is retried), each with
            // the password it was sent with
            assertThat(ghtkCalls()).hasSize(finished.at("/results/ghtk/attempts").asInt())
                    .allSatisfy(call -> assertThat(json(call.getBodyAsString()).path("password").asText()).isEqualTo("left-password"));
            JsonNode refused = json(hub.get("/api/v1/onboardings/" + gone).body());
            assertThat(refused.path("status").asText()).isEqualTo("FAILED");
            assertThat(refused.at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
            assertThat(store.findPending(left)).as("the kept request erased once final").isEmpty();
            assertThat(store.findPending(gone)).isEmpty();
        }
    }

    private List<LoggedRequest> ghtkCalls() {
        return providers.findAll(postRequestedFor(urlPathEqualTo(GHTK)));
    }

    /** One column (or expression) of every onboarding row, by onboarding id. */
    private Map<String, String> rows(String column) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(PG.replaceAll("/[^/]*$", "/" + database), "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT onboarding_id, " + column + " FROM onboarding")) {
            while (rs.next()) {
                values.put(rs.getString(1), rs.getString(2));
            }
        }
        return values;
    }

    private static int count(String text, String phrase) {
        return text.split(java.util.regex.Pattern.quote(phrase), -1).length - 1;
    }

    private static JsonNode json(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
