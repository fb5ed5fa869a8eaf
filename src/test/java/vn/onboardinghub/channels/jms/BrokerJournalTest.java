package vn.onboardinghub.channels.jms;

import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A GHTK password sent on the bus does not stay in the broker's files once its request was consumed. */
class BrokerJournalTest {

    @Test
    void consumedPasswordLeavesTheBrokerFilesWithinTheScrubInterval() throws Exception {
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.broker.url", BrokerUrls.free(),
                "hub.broker.journal-scrub-seconds", "2"))) {
            List<String> markers = sendAndConsume(hub);
            // a few scrub intervals: the file a record is in must be closed, then compacted away
            // (a scan may meet a file the broker deletes meanwhile: that scan is simply repeated)
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptionsInstanceOf(UncheckedIOException.class).untilAsserted(() ->
                    assertThat(filesHolding(hub.dataDir().resolve("broker"), markers)).isEmpty());
        }
    }

    /** The scan itself: without the scrub the consumed password is still in the journal (what the probe found). */
    @Test
    void withoutTheScrubTheJournalKeepsTheConsumedPassword() throws Exception {
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.broker.url", BrokerUrls.free(),
                "hub.broker.journal-scrub-seconds", "3600"))) {
            List<String> markers = sendAndConsume(hub);
            assertThat(filesHolding(hub.dataDir().resolve("broker"), markers)).isNotEmpty();
        }
    }

    /** Sends two requests with marker passwords (JMS text, stored as UTF-16, and STOMP, stored as UTF-8); waits for both results. */
    private static List<String> sendAndConsume(TestHub hub) throws Exception {
        String brokerUrl = hub.context().resolvePropertyPlaceholders("{{hub.broker.url}}");
        String password = BrokerUrls.busPassword(hub.dataDir());
        String jmsMarker = "pw-" + UUID.randomUUID();
        String stompMarker = "pw-" + UUID.randomUUID();
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl, "bus", password);
             JMSContext jms = factory.createContext()) {
            jms.createProducer().setJMSCorrelationID("journal-jms").send(jms.createQueue("onboarding.requests"), request(jmsMarker));
            try (StompClient stomp = new StompClient(brokerUrl, Duration.ofSeconds(10), "bus", password)) {
                stomp.send("SEND", Map.of("destination", "onboarding.requests", "persistent", "true",
                        "correlation-id", "journal-stomp"), request(stompMarker));
            }
            try (JMSConsumer results = jms.createConsumer(jms.createQueue("onboarding.results"),
                    "JMSCorrelationID IN ('journal-jms', 'journal-stomp')")) {
                assertThat(results.receive(20_000)).isNotNull();
                assertThat(results.receive(20_000)).isNotNull();
            }
        }
        return List.of(jmsMarker, stompMarker);
    }

    private static String request(String ghtkPassword) {
        return """
                {"merchant": {"externalId": "M-%s", "name": "Shop", "phone": "0912345678", "email": "shop@example.vn"},
                 "providers": ["ghtk"], "ghtk": {"password": "%s"}}""".formatted(ghtkPassword, ghtkPassword);
    }

    /** Files under {@code dir} holding any marker, as UTF-8 or UTF-16 (either byte order). */
    static List<Path> filesHolding(Path dir, List<String> markers) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(file -> {
                byte[] bytes = read(file);
                return markers.stream().anyMatch(marker -> Stream.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE,
                        StandardCharsets.UTF_16BE).anyMatch(charset -> contains(bytes, marker, charset)));
            }).toList();
        }
    }

    private static boolean contains(byte[] haystack, String marker, Charset charset) {
        byte[] needle = marker.getBytes(charset);
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
