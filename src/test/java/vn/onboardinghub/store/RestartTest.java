package vn.onboardinghub.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Results survive a restart: on the embedded H2 file database and on a real PostgreSQL. */
class RestartTest {
    static final String PG = System.getProperty("hub.test.pg.url", "").isBlank()
            ? "jdbc:postgresql://127.0.0.1:5432/test" : System.getProperty("hub.test.pg.url");
    static final String TOKEN = "issued-token-7f3a9c";
    static WireMockServer provider;
    final ObjectMapper mapper = new ObjectMapper();

    @BeforeAll
    static void startProvider() {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        provider.stubFor(get(urlPathEqualTo("/ahamove/v1/partner/register_account"))
                .willReturn(okJson("{\"token\": \"" + TOKEN + "\", \"refresh_token\": \"r-1\"}")));
    }

    @AfterAll
    static void stopProvider() {
        provider.stop();
    }

    @Test
    void resultIsReadableAfterRestartOnH2() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-h2");
        onboardRestartAndRead(dataDir, Map.of());
        // the default store is an H2 file under the data dir, and the credentials in it are encrypted
        try (var files = Files.walk(dataDir)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertThat(all).anyMatch(f -> f.toString().endsWith(".mv.db"));
            for (Path f : all) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(TOKEN);
            }
        }
    }

    @Test
    void resultIsReadableAfterRestartOnPostgresql() throws Exception {
        String schema = "hub_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        try {
            onboardRestartAndRead(Files.createTempDirectory("hub-pg"), Map.of(
                    "hub.db.url", PG + "?currentSchema=" + schema, "hub.db.username", "postgres"));
            try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
                var rs = c.createStatement().executeQuery("SELECT (SELECT count(*) FROM " + schema + ".onboarding),"
                        + " (SELECT count(*) FROM " + schema + ".provider_success)");
                rs.next();
                assertThat(rs.getInt(1)).as("onboardings: the first and the merchant's second").isEqualTo(2);
                assertThat(rs.getInt(2)).as("Ahamove's success, kept once").isEqualTo(1);
            }
        } finally {
            try (Connection c = DriverManager.getConnection(PG, "postgres", "")) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private void onboardRestartAndRead(Path dataDir, Map<String, String> db) throws Exception {
        Map<String, String> props = new HashMap<>(TestHub.providersAt(provider.baseUrl()));
        props.putAll(db);
        String body = """
                {"requestId": "req-%s", "merchant": {"externalId": "M-7", "name": "Trần Thị B", "phone": "+84 912 345 678"},
                 "providers": ["ahamove"]}""".formatted(UUID.randomUUID());
        JsonNode created;
        java.util.List<Thread> hubThreads;
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (TestHub hub = TestHub.start(dataDir, props)) {
            created = mapper.readTree(hub.post("/api/v1/onboardings", body).body());
            // this hub's own threads (not those of anything else this JVM ran before)
            hubThreads = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                    .filter(t -> t.getName().endsWith(OnboardingStore.WRITER_THREAD) || t.getName().endsWith("provider-calls")
                            || t.getName().endsWith("data-dir-permissions")).toList();
            assertThat(hubThreads).map(Thread::getName).anyMatch(name -> name.endsWith(OnboardingStore.WRITER_THREAD));
        }
        assertThat(created.path("status").asText()).isEqualTo("SUCCEEDED");
        // the hub's threads are Camel's, stopped with it: none is left behind (an embedding JVM restarts the hub)
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(hubThreads).noneMatch(Thread::isAlive));
        try (TestHub restarted = TestHub.start(dataDir, props)) {
            var read = restarted.get("/api/v1/onboardings/" + created.path("onboardingId").asText());
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(mapper.readTree(read.body())).isEqualTo(created);
            // the requestId is remembered across the restart: no second onboarding, no second provider call
            int calls = provider.getAllServeEvents().size();
            assertThat(mapper.readTree(restarted.post("/api/v1/onboardings", body).body())).isEqualTo(created);
            assertThat(provider.getAllServeEvents()).hasSize(calls);
            // the merchant's earlier success is remembered too: another requestId gets its credentials, no call
            JsonNode again = mapper.readTree(restarted.post("/api/v1/onboardings",
                    body.replaceFirst("\"req-[^\"]+\"", "\"other-" + UUID.randomUUID() + "\"")).body());
            assertThat(again.path("onboardingId").asText()).isNotEqualTo(created.path("onboardingId").asText());
            assertThat(again.at("/results/ahamove/credentials/token").asText()).isEqualTo(TOKEN);
            assertThat(again.at("/results/ahamove/attempts").asInt()).isZero();
            assertThat(provider.getAllServeEvents()).hasSize(calls);
        }
    }
}
