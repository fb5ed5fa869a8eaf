package vn.onboardinghub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** SIGTERM (what a service manager or {@code docker stop} sends) stops the hub quietly: no WARN, no stack trace. */
class GracefulStopTest {
    @TempDir
    Path dataDir;

    @Test
    void sigtermStopsTheHubWithoutWarningsOrStackTraces() throws Exception {
        // sandbox mode, as java -jar starts by default: its simulators stop too
        HubProcess hub = new HubProcess(dataDir, Map.of("hub.sandbox.enabled", "true"));
        try {
            Process process = hub.start("graceful-stop.log");
            // the REST listener has served a request, so its worker threads exist when the stop comes
            assertThat(hub.get("/api/v1/onboardings/00000000-0000-0000-0000-000000000000").statusCode()).isEqualTo(404);
            assertThat(hub.post("/api/v1/onboardings", """
                    {"merchant": {"externalId": "M-1", "name": "Shop", "phone": "0912345678"}, "providers": ["ahamove"]}""")
                    .statusCode()).isEqualTo(200);

            process.destroy();

            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within the shutdown timeout").isTrue();
            String log = HubProcess.log("graceful-stop.log");
            String output = log.substring(log.indexOf("is shutting down"));
            assertThat(output).as(output).contains("Apache Camel 4.18.0 (onboarding-hub) shutdown");
            assertThat(output.lines().filter(line -> line.matches("^\\S+ (WARN|ERROR) .*"))).as(output).isEmpty();
            assertThat(output).as("no stack trace").doesNotContainPattern("(?m)^\\s+at [a-z]").doesNotContain("Exception");
        } finally {
            hub.killAll();
        }
    }
}
