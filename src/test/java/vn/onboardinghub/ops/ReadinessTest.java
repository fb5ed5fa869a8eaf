package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Ready follows the database: it goes DOWN (503) when the database cannot be reached, and UP again when it can. */
class ReadinessTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void notReadyWhileTheDatabaseIsDown() throws Exception {
        Path dbDir = Files.createTempDirectory("hub-db-server");
        Server database = Server.createTcpServer("-tcpPort", "0", "-baseDir", dbDir.toString(), "-ifNotExists").start();
        int dbPort = database.getPort();
        String url = "jdbc:h2:tcp://localhost:" + dbPort + "/hub";
        try (TestHub hub = TestHub.start(Map.of("hub.db.url", url, "hub.db.username", "sa"))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(ready(hub).path("status").asText()).isEqualTo("UP"));

            database.stop();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode ready = ready(hub);
                assertThat(ready.path("status").asText()).isEqualTo("DOWN");
                assertThat(check(ready, "database").path("status").asText()).isEqualTo("DOWN");
                assertThat(check(ready, "broker").path("status").asText()).isEqualTo("UP");
            });

            database = Server.createTcpServer("-tcpPort", String.valueOf(dbPort), "-baseDir", dbDir.toString(), "-ifNotExists").start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(ready(hub).path("status").asText()).isEqualTo("UP"));
        } finally {
            database.stop();
        }
    }

    private JsonNode ready(TestHub hub) throws Exception {
        var response = hub.get(hub.managementUrl("/observe/health/ready"), null);
        JsonNode body = mapper.readTree(response.body());
        assertThat(response.statusCode()).isEqualTo(body.path("status").asText().equals("UP") ? 200 : 503);
        return body;
    }

    private static JsonNode check(JsonNode ready, String name) {
        for (JsonNode check : ready.path("checks")) {
            if (check.path("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + ready);
    }
}
