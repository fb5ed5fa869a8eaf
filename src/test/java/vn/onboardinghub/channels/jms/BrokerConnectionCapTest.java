package vn.onboardinghub.channels.jms;

import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** hub.broker.max-connections: the embedded broker takes that many connections at once, the hub's own included. */
class BrokerConnectionCapTest {

    @Test
    void connectionsBeyondTheCapAreRefusedUntilOthersClose() throws Exception {
        String brokerUrl = BrokerUrls.free();
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.broker.url", brokerUrl, "hub.broker.max-connections", "6"));
             ActiveMQConnectionFactory bus = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.BUS_USER, BrokerUrls.busPassword(hub.dataDir()))) {
            bus.setCallTimeout(5_000);
            bus.setReconnectAttempts(0);
            List<JMSContext> open = new ArrayList<>();
            int refused = 0;
            try {
                for (int i = 0; i < 6; i++) {
                    try {
                        open.add(bus.createContext());
                    } catch (JMSRuntimeException e) {
                        refused++;
                    }
                }
                // the hub holds at least its listeners' connection: six more cannot all fit
                assertThat(refused).as("connections refused beyond hub.broker.max-connections=6").isPositive();
                assertThat(open).as("some fit").isNotEmpty();
            } finally {
                open.forEach(JMSContext::close);
            }
            try (JMSContext again = bus.createContext()) {
                assertThat(again).isNotNull();
            }
        }
    }
}
