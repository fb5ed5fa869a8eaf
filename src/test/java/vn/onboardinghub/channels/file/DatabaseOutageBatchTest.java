package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.store.StoppableDatabase;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub's database goes away in the middle of a batch: the records in flight wait for it instead of failing, the
 * batch pauses and goes on by itself when the database is back; past {@code hub.outage.max-wait-seconds} the batch is
 * left RUNNING with its file in the inbox and resumes later. Never a record FAILED for the hub's own outage.
 */
class DatabaseOutageBatchTest {
    private static final int RECORDS = 8;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void batchPausesDuringAnOutageAndCompletesByItself(String kind, @TempDir Path dataDir) throws Exception {
        try (StoppableDatabase database = new StoppableDatabase(kind);
             TestHub hub = TestHub.start(dataDir, settings(dataDir, database, "120"))) {
            stopDatabaseAtRecord(hub, database, "X-3");
            FileDrop files = new FileDrop(dataDir);

            files.drop("outage.csv", csv());
            // readiness says why the batch does not move
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(fileDropCheck(hub)).contains("paused").contains("database is unavailable"));
            database.start();

            // each record in flight comes back from its backoff and a new connection (hubSettings: at most 0.5 s and 1 s) in turn
            files.awaitDone("outage.csv", Duration.ofSeconds(120));
            Map<Integer, JsonNode> results = files.results("outage.csv", RECORDS);
            assertThat(results.values()).allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("SUCCEEDED"));
            assertThat(files.summary("outage.csv").at("/byStatus/SUCCEEDED").asInt()).isEqualTo(RECORDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void outageLongerThanTheWindowLeavesTheBatchToResume(String kind, @TempDir Path dataDir) throws Exception {
        try (StoppableDatabase database = new StoppableDatabase(kind);
             TestHub hub = TestHub.start(dataDir, settings(dataDir, database, "2"))) {
            stopDatabaseAtRecord(hub, database, "X-3");
            FileDrop files = new FileDrop(dataDir);

            files.drop("long.csv", csv());
            // past the window the owner gives the inbox up (its file route stops for hub.file.takeover-after-seconds)
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    hub.context().getRouteController().getRouteStatus("intake-file") == ServiceStatus.Stopped);
            // resumable, and nothing failed for good: the file is in the inbox, no summary, no FAILED line
            assertThat(files.inbox.resolve("long.csv")).exists();
            assertThat(files.summaryFile("long.csv")).doesNotExist();
            if (Files.exists(files.results("long.csv"))) {
                assertThat(Files.readString(files.results("long.csv"), StandardCharsets.UTF_8)).doesNotContain("FAILED");
            }
            database.start();

            // the inbox is taken again and the batch resumes by itself
            files.awaitDone("long.csv", Duration.ofSeconds(120));
            Map<Integer, JsonNode> results = files.results("long.csv", RECORDS);
            assertThat(results.values()).allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("SUCCEEDED"));
        }
    }

    static Map<String, String> settings(Path dataDir, StoppableDatabase database, String maxWaitSeconds) {
        Map<String, String> settings = new HashMap<>(database.hubSettings());
        settings.putAll(Map.of("hub.sandbox.enabled", "true", "hub.data-dir", dataDir.toString(),
                "hub.file.read-lock-min-age-ms", "200", "hub.file.concurrency", "4",
                "hub.outage.max-wait-seconds", maxWaitSeconds, "hub.file.takeover-after-seconds", "2"));
        return settings;
    }

    /** The database goes away just as that record is about to be onboarded (the others in flight meet it too). */
    private static void stopDatabaseAtRecord(TestHub hub, StoppableDatabase database, String externalId) throws Exception {
        AtomicBoolean stopped = new AtomicBoolean();
        AdviceWith.adviceWith(hub.context(), "intake-file", route -> route.weaveById("record-onboard").before()
                .process(exchange -> {
                    if (exchange.getMessage().getBody(String.class).contains("\"" + externalId + "\"")
                            && stopped.compareAndSet(false, true)) {
                        database.stop();
                    }
                }));
    }

    private static String csv() {
        StringBuilder csv = new StringBuilder("external_id,name,phone,providers\n");
        for (int i = 1; i <= RECORDS; i++) {
            csv.append("X-").append(i).append(",Shop ").append(i).append(",09123456").append(String.format("%02d", i))
                    .append(",ahamove\n");
        }
        return csv.toString();
    }

    /**
     * The file-drop readiness check as the hub sees it: DOWN on the management port (which answers names and states
     * only), with the reason it gives (also logged).
     */
    private static String fileDropCheck(TestHub hub) throws Exception {
        JsonNode ready = FileDrop.MAPPER.readTree(hub.get(hub.managementUrl("/observe/health/ready"), null).body());
        boolean downOnThePort = false;
        for (JsonNode check : ready.path("checks")) {
            downOnThePort |= check.path("name").asText().equals("file-drop") && check.path("status").asText().equals("DOWN");
        }
        for (HealthCheck.Result result : HealthCheckHelper.invokeReadiness(hub.context())) {
            if (downOnThePort && result.getCheck().getId().equals("file-drop")) {
                return result.getState() + " " + result.getMessage().orElse("");
            }
        }
        return "";
    }
}
