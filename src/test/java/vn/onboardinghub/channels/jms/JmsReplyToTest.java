package vn.onboardinghub.channels.jms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onboardinghub.TestHub;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reply-to the result cannot go to ends with one result on the dead-letter queue and the request consumed: no
 * redelivery loop, one onboarding, one provider call (the probe's STOMP reply-to caused 7 of each in 75 s).
 */
class JmsReplyToTest {
    private static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    static final WireMockServer provider = new WireMockServer(options().dynamicPort());
    static TestHub hub;
    static String brokerUrl;
    static ActiveMQConnectionFactory asHub;
    final ObjectMapper mapper = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        provider.start();
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")));
        brokerUrl = BrokerUrls.free();
        Map<String, String> props = new HashMap<>(TestHub.providersAt(provider.baseUrl()));
        props.put("hub.broker.url", brokerUrl);
        hub = TestHub.start(props);
        asHub = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.HUB_USER, BrokerUrls.hubPassword(hub.dataDir()));
    }

    @AfterAll
    static void stop() {
        asHub.close();
        hub.close();
        provider.stop();
    }

    @BeforeEach
    void forgetCalls() {
        provider.resetRequests();
    }

    @ParameterizedTest
    @ValueSource(strings = {"onboarding.results", "onboarding.requests", "activemq.management", "no-such-queue", "/queue/x\r\ny"})
    void undeliverableReplyToEndsOnTheDeadLetterQueueOnce(String replyTo) throws Exception {
        String correlationId = "bad-reply-" + Math.abs(replyTo.hashCode());
        try (StompClient stomp = new StompClient(brokerUrl, Duration.ofSeconds(10), "bus", BrokerUrls.busPassword(hub.dataDir()))) {
            // no requestId: a redelivered request would be onboarded, and the provider called, once more
            stomp.send("SEND", Map.of("destination", "onboarding.requests", "persistent", "true", "correlation-id", correlationId,
                    "reply-to", replyTo.replace("\r\n", "\\r\\n")), """
                    {"merchant": {"externalId": "M-%s", "name": "Shop", "phone": "0912345678"}, "providers": ["ahamove"]}"""
                    .formatted(correlationId));
        }

        try (JMSContext jms = asHub.createContext();
             JMSConsumer deadLetters = jms.createConsumer(jms.createQueue("onboarding.dead-letters"),
                     "JMSCorrelationID = '" + correlationId + "'")) {
            Message parked = deadLetters.receive(20_000);
            assertThat(parked).as("the result, parked").isNotNull();
            assertThat(mapper.readTree(parked.getBody(String.class)).path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(parked.getStringProperty("HubDeadLetterReason")).startsWith("reply-to").doesNotContain("\r", "\n");
            // the dead letter was committed with the request's acknowledgement: the request is gone for good
            try (QueueBrowser pending = jms.createBrowser(jms.createQueue("onboarding.requests"))) {
                assertThat(Collections.list(pending.getEnumeration())).isEmpty();
            }
            assertThat(deadLetters.receive(2_000)).as("no second result").isNull();
            try (QueueBrowser results = jms.createBrowser(jms.createQueue("onboarding.results"),
                    "JMSCorrelationID = '" + correlationId + "'")) {
                assertThat(Collections.list(results.getEnumeration())).as("nothing on the result queue").isEmpty();
            }
        }
        assertThat(provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE)))).as("one provider call").hasSize(1);
    }
}
