package vn.onboardinghub.channels.jms;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A request is acknowledged only by the commit that publishes its result: failures and restarts lose nothing. */
class JmsDeliveryGuaranteeTest {
    static final long WAIT_MS = 20_000;
    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void failureAfterPublishingRollsBackTheResultAndTheRequestIsRedelivered() throws Exception {
        String brokerUrl = BrokerUrls.free();
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.broker.url", brokerUrl));
             ActiveMQConnectionFactory connectionFactory = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.BUS_USER, BrokerUrls.busPassword(hub.dataDir()));
             JMSContext jms = connectionFactory.createContext()) {
            AtomicInteger attempts = new AtomicInteger();
            AdviceWith.adviceWith(hub.context(), "intake-jms", route -> route.weaveById("jms-publish-result").after()
                    .process(exchange -> {
                        if (attempts.incrementAndGet() == 1) {
                            throw new IllegalStateException("simulated crash after the result was sent");
                        }
                    }));

            jms.createProducer().setJMSCorrelationID("tx-1").send(jms.createQueue("onboarding.requests"),
                    JmsChannelTest.request("tx-request-1"));

            try (JMSConsumer results = jms.createConsumer(jms.createQueue("onboarding.results"), "JMSCorrelationID = 'tx-1'")) {
                Message result = results.receive(WAIT_MS);
                assertThat(result).isNotNull();
                assertThat(mapper.readTree(result.getBody(String.class)).path("status").asText()).isEqualTo("SUCCEEDED");
                assertThat(attempts).hasValue(2);
                // the first attempt's result was rolled back with its acknowledgement: one result, not two
                assertThat(results.receive(1_000)).isNull();
            }
        }
    }

    @Test
    void requestWaitingOnTheBusSurvivesARestart() throws Exception {
        String brokerUrl = BrokerUrls.free();
        Path dataDir = Files.createTempDirectory("hub-jms-restart");
        Map<String, String> props = Map.of("hub.sandbox.enabled", "true", "hub.broker.url", brokerUrl);
        try (TestHub hub = TestHub.start(dataDir, props);
             ActiveMQConnectionFactory connectionFactory = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.BUS_USER, BrokerUrls.busPassword(hub.dataDir()));
             JMSContext jms = connectionFactory.createContext()) {
            hub.context().getRouteController().stopRoute("intake-jms");
            jms.createProducer().setJMSCorrelationID("restart-1").send(jms.createQueue("onboarding.requests"),
                    JmsChannelTest.request("restart-request-1"));
        }

        try (TestHub hub = TestHub.start(dataDir, props);
             ActiveMQConnectionFactory connectionFactory = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.BUS_USER, BrokerUrls.busPassword(hub.dataDir()));
             JMSContext jms = connectionFactory.createContext();
             JMSConsumer results = jms.createConsumer(jms.createQueue("onboarding.results"), "JMSCorrelationID = 'restart-1'")) {
            Message result = results.receive(WAIT_MS);
            assertThat(result).isNotNull();
            assertThat(mapper.readTree(result.getBody(String.class)).path("requestId").asText()).isEqualTo("restart-request-1");
        }
    }
}
