package vn.onboardinghub.channels.jms;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker at {@code hub.broker.url}: the hub's own, or with {@code hub.broker.embedded=false} someone else's. */
class JmsExternalBrokerTest {

    @Test
    void embeddedBrokerRefusesToStartOnAPortAlreadyInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String brokerUrl = "tcp://127.0.0.1:" + taken.getLocalPort();
            assertThatThrownBy(() -> TestHub.start(Map.of("hub.broker.url", brokerUrl)).close())
                    .hasStackTraceContaining("cannot listen on hub.broker.url=" + brokerUrl);
        }
    }

    @Test
    void externalBrokerCarriesRequestsAndResults() throws Exception {
        String brokerUrl = BrokerUrls.free();
        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("external").setPersistenceEnabled(false).setSecurityEnabled(false)
                .addAcceptorConfiguration("tcp", brokerUrl);
        config.setBrokerInstance(Files.createTempDirectory("external-broker").toFile());
        EmbeddedActiveMQ external = new EmbeddedActiveMQ().setConfiguration(config);
        external.start();
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true",
                     "hub.broker.embedded", "false", "hub.broker.url", brokerUrl));
             ActiveMQConnectionFactory connectionFactory = new ActiveMQConnectionFactory(brokerUrl);
             JMSContext jms = connectionFactory.createContext()) {
            jms.createProducer().setJMSCorrelationID("external-1").send(jms.createQueue("onboarding.requests"),
                    JmsChannelTest.request("external-request-1"));

            try (JMSConsumer results = jms.createConsumer(jms.createQueue("onboarding.results"), "JMSCorrelationID = 'external-1'")) {
                Message result = results.receive(20_000);
                assertThat(result).isNotNull();
                assertThat(new ObjectMapper().readTree(result.getBody(String.class)).path("status").asText()).isEqualTo("SUCCEEDED");
            }
            assertThat(hub.dataDir().resolve("broker")).doesNotExist();
        } finally {
            external.stop();
        }
    }
}
