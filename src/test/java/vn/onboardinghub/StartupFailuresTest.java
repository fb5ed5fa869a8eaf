package vn.onboardinghub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator sees when the hub cannot start, run as {@code java -jar} runs it (a child JVM): one line naming
 * the cause and the setting to change, no stack trace, and a non-zero exit, never a hub that runs on half-served.
 */
class StartupFailuresTest {
    @TempDir
    Path dataDir;
    final List<HubProcess> hubs = new ArrayList<>();
    final ObjectMapper mapper = new ObjectMapper();

    @AfterEach
    void stopHubs() {
        hubs.forEach(HubProcess::killAll);
    }

    @Test
    void restPortInUseStopsTheHubWithOneLineNamingCamelServerPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String output = refusedStart("rest-port-taken.log", Map.of("hub.listen-address", "127.0.0.1",
                    "camel.server.port", String.valueOf(port)));

            assertThat(output).contains("the hub cannot start: cannot listen on port " + port
                    + " (camel.server.port) of 127.0.0.1: address already in use; stop what uses it or set camel.server.port to a free port");
        }
    }

    @Test
    void managementPortInUseStopsTheHubWithOneLineNamingCamelManagementPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String output = refusedStart("management-port-taken.log", Map.of("hub.listen-address", "127.0.0.1",
                    "camel.management.port", String.valueOf(port)));

            assertThat(output).contains("the hub cannot start: cannot listen on port " + port
                    + " (camel.management.port) of 127.0.0.1: address already in use; stop what uses it or set"
                    + " camel.management.port to a free port");
        }
    }

    @Test
    void aSecondHubOnTheSameDataDirectoryIsRefusedAndTheFirstRunsOn() throws Exception {
        HubProcess first = hub(Map.of());
        first.start("data-dir-first.log");

        String output = refusedStart("data-dir-second.log", Map.of());

        assertThat(output).contains("the hub cannot start: the data directory " + dataDir.toAbsolutePath()
                + " is already used by another running hub: stop that hub, or give this one its own directory with"
                + " hub.data-dir (HUB_DATA_DIR)");
        JsonNode ready = mapper.readTree(first.managementGet("/observe/health/ready").body());
        assertThat(ready.path("status").asText()).isEqualTo("UP");
        assertThat(ready.path("checks").findValuesAsText("name")).contains("rest-api");
        assertThat(first.get("/api/v1/onboardings/00000000-0000-0000-0000-000000000000").statusCode()).isEqualTo(404);
    }

    @Test
    void aSecretFileGivenToANumericSettingIsRefusedNamingTheSettingNeverTheSecret() throws Exception {
        Path file = dataDir.resolveSibling(dataDir.getFileName() + "-secret");
        java.nio.file.Files.writeString(file, "ghtk-token-Zq81xW\n");
        String output = refusedStart("numeric-secret.log", Map.of(), Map.of("HUB_JMS_CONCURRENCY_FILE", file.toString()));

        assertThat(output).contains("the hub cannot start: hub.jms.concurrency (HUB_JMS_CONCURRENCY) must be a whole number"
                + " of at least 1").doesNotContain("Zq81xW");
    }

    @Test
    void outOfRangeAndNotTrueOrFalseAreRefusedBeforeAnythingStarts() throws Exception {
        assertThat(refusedStart("port-out-of-range.log", Map.of("camel.server.port", "70000")))
                .contains("the hub cannot start: camel.server.port (CAMEL_SERVER_PORT) must be a whole number from 0 to 65535");
        assertThat(refusedStart("not-a-boolean.log", Map.of("hub.file.include-credentials", "yes")))
                .contains("the hub cannot start: hub.file.include-credentials (HUB_FILE_INCLUDE_CREDENTIALS) must be true or false");
    }

    @Test
    void aShortOrPlaceholderCallbackSecretIsRefusedOutsideSandboxMode() throws Exception {
        assertThat(refusedStart("short-secret.log", Map.of(), Map.of("HUB_CALLBACK_SECRET", "x")))
                .contains("the hub cannot start: hub.callback.secret (HUB_CALLBACK_SECRET) must be at least 32 bytes");
        assertThat(refusedStart("placeholder-secret.log", Map.of("hub.broker.password", "replace-with-the-broker-password")))
                .contains("the hub cannot start: hub.broker.password (HUB_BROKER_PASSWORD) still holds a placeholder");
    }

    /** Starts a hub that must refuse to start: it exits non-zero by itself, saying why in one line. */
    private String refusedStart(String logName, Map<String, String> properties) throws Exception {
        return refusedStart(logName, properties, Map.of());
    }

    private String refusedStart(String logName, Map<String, String> properties, Map<String, String> environment) throws Exception {
        HubProcess hub = hub(properties);
        hub.environment.putAll(environment);
        Process process = hub.launch(logName);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the hub stops by itself").isTrue();
        String output = HubProcess.log(logName);
        assertThat(process.exitValue()).as(output).isEqualTo(1);
        assertThat(output.lines().filter(line -> line.contains("ERROR"))).as(output).hasSize(1);
        assertThat(output).as("no stack trace").doesNotContainPattern("(?m)^\\s+at [a-z]").doesNotContain("Exception");
        return output;
    }

    private HubProcess hub(Map<String, String> properties) throws Exception {
        HubProcess hub = new HubProcess(dataDir, properties);
        hubs.add(hub);
        return hub;
    }
}
