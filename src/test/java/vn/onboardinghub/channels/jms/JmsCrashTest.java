package vn.onboardinghub.channels.jms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.HubProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The hub killed (SIGKILL) while it works through requests on its embedded broker loses none of them. */
class JmsCrashTest {
    private static final int REQUESTS = 300;
    private static final int CONCURRENCY = 8;
    private static final String AHAMOVE = "/ahamove/v1/partner/register_account";

    @TempDir
    Path dataDir;
    private final WireMockServer provider = new WireMockServer(options().dynamicPort().containerThreads(32));
    private final ObjectMapper mapper = new ObjectMapper();
    private HubProcess hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.killAll();
        }
        provider.stop();
    }

    @Test
    void requestsAcceptedBeforeAKillAllGetTheirResultAfterTheRestart() throws Exception {
        provider.start();
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")
                .withFixedDelay(100)));
        hub = new HubProcess(dataDir, Map.of(
                "hub.jms.concurrency", String.valueOf(CONCURRENCY),
                "hub.providers.ahamove.base-url", provider.baseUrl() + "/ahamove",
                "hub.providers.ahamove.api-key", "aha-key"));
        Process first = hub.start("jms-first.log");
        Map<String, Integer> resultsByCorrelationId = new HashMap<>();

        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(hub.brokerUrl + "?reconnectAttempts=0", BrokerUrls.BUS_USER, BrokerUrls.busPassword(dataDir));
             JMSContext jms = factory.createContext()) {
            Queue requests = jms.createQueue("onboarding.requests");
            JMSProducer producer = jms.createProducer();
            for (int i = 1; i <= REQUESTS; i++) {
                producer.setJMSCorrelationID("c-" + i).send(requests, """
                        {"requestId": "jms-%d", "merchant": {"externalId": "M-%d", "name": "Shop %d", "phone": "0912%06d"},
                         "providers": ["ahamove"]}""".formatted(i, i, i, i));
            }
            try (JMSConsumer results = jms.createConsumer(jms.createQueue("onboarding.results"))) {
                while (resultsByCorrelationId.size() < REQUESTS / 3) {
                    receiveInto(results, resultsByCorrelationId, 20_000);
                }
            }
        }
        first.destroyForcibly().waitFor();
        assertThat(provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE)))).as("killed in the middle").hasSizeLessThan(REQUESTS);

        hub.start("jms-second.log");
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(hub.brokerUrl, BrokerUrls.BUS_USER, BrokerUrls.busPassword(dataDir));
             JMSContext jms = factory.createContext();
             JMSConsumer results = jms.createConsumer(jms.createQueue("onboarding.results"))) {
            // each check takes every result that has arrived (not one per poll of the condition)
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
                while (resultsByCorrelationId.size() < REQUESTS && receiveInto(results, resultsByCorrelationId, 1_000)) {
                    // take the next one
                }
                return resultsByCorrelationId.size() == REQUESTS;
            });
            // nothing more arrives: every request has exactly one result
            while (receiveInto(results, resultsByCorrelationId, 2_000)) {
                // drain
            }
        }
        assertThat(resultsByCorrelationId).hasSize(REQUESTS);
        assertThat(resultsByCorrelationId.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
        assertThat(provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE))).size())
                .as("only calls in flight at the kill may be repeated").isBetween(REQUESTS, REQUESTS + CONCURRENCY);
    }

    /** Receives one result, checks it succeeded and counts it by correlation id; false when none came in time. */
    private boolean receiveInto(JMSConsumer results, Map<String, Integer> counts, long waitMs) throws Exception {
        Message result = results.receive(waitMs);
        if (result == null) {
            return false;
        }
        assertThat(mapper.readTree(result.getBody(String.class)).path("status").asText()).isEqualTo("SUCCEEDED");
        counts.merge(result.getJMSCorrelationID(), 1, Integer::sum);
        return true;
    }
}
