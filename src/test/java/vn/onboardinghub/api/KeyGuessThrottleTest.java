package vn.onboardinghub.api;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Guessing API keys: refused keys are logged by address (never the key), and an address that guessed too often waits. */
class KeyGuessThrottleTest {

    @Test
    void anAddressThatGuessedTooManyKeysGets429EvenWithTheRightKeyAndTheLogNamesTheAddressNotTheKey() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        AbstractAppender capture = new AbstractAppender("key-guesses", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        };
        capture.start();
        logs.getConfiguration().getRootLogger().addAppender(capture, null, null);
        logs.updateLoggers();
        try (TestHub hub = TestHub.start(Map.of("hub.api.refused-keys-per-minute", "3"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(hub.get("/api/v1/batches", "guess-" + i).statusCode()).isEqualTo(401);
            }
            HttpResponse<String> throttled = hub.get("/api/v1/batches", TestHub.API_KEY);
            assertThat(throttled.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
            assertThat(throttled.body()).contains("\"code\":\"RATE_LIMITED\"");

            assertThat(lines).anyMatch(l -> l.startsWith("API key refused") && l.contains("127.0.0.1"));
            assertThat(lines).anyMatch(l -> l.contains("3 API keys refused from 127.0.0.1"));
            assertThat(lines.stream().filter(l -> l.contains("API key"))).as("two lines, not one per guess").hasSize(2);
            assertThat(String.join("\n", lines)).doesNotContain("guess-");
        } finally {
            logs.getConfiguration().getRootLogger().removeAppender("key-guesses");
            logs.updateLoggers();
        }
    }
}
