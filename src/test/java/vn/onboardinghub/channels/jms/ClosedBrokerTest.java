package vn.onboardinghub.channels.jms;

import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.JMSSecurityRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.TemporaryQueue;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.api.core.management.ManagementHelper;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded broker is closed: every client logs in, and a bus client may send requests, read the result queue and
 * use its own temporary reply queues, nothing else (the attacks of the probe, one by one).
 */
@WithHub({"hub.sandbox.enabled=true"})
class ClosedBrokerTest {
    static TestHub hub;
    static String brokerUrl;
    static String busPassword;

    @BeforeAll
    static void broker() {
        brokerUrl = hub.setting("hub.broker.url");
        busPassword = BrokerUrls.busPassword(hub.dataDir());
    }

    @Test
    void stompConnectWithoutLoginIsRefused() {
        assertThatThrownBy(() -> new StompClient(brokerUrl, Duration.ofSeconds(10), null, null).close())
                .isInstanceOf(IOException.class);
    }

    @Test
    void stompConnectWithAWrongPasswordIsRefused() {
        assertThatThrownBy(() -> new StompClient(brokerUrl, Duration.ofSeconds(10), "bus", busPassword + "x").close())
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new StompClient(brokerUrl, Duration.ofSeconds(10), "guest", "guest").close())
                .isInstanceOf(IOException.class);
    }

    @Test
    void coreConnectWithoutLoginOrWithAWrongPasswordIsRefused() {
        try (ActiveMQConnectionFactory anonymous = new ActiveMQConnectionFactory(brokerUrl);
             ActiveMQConnectionFactory wrong = new ActiveMQConnectionFactory(brokerUrl, "bus", "not-" + busPassword)) {
            assertThatThrownBy(() -> anonymous.createContext().close()).isInstanceOf(JMSSecurityRuntimeException.class);
            assertThatThrownBy(() -> wrong.createContext().close()).isInstanceOf(JMSSecurityRuntimeException.class);
        }
    }

    @Test
    void busClientCannotUseManagement() throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator(brokerUrl);
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession session = factory.createSession("bus", busPassword, false, true, true, false, 0)) {
            SimpleString management = SimpleString.of("activemq.management");
            // a management message: destroy (or purge, pause) the result queue; durable, so the send waits for the broker
            var destroy = session.createMessage(true);
            ManagementHelper.putOperationInvocation(destroy, ResourceNames.BROKER, "destroyQueue", "onboarding.results");
            try (var producer = session.createProducer(management)) {
                assertThatThrownBy(() -> producer.send(destroy)).isInstanceOf(ActiveMQSecurityException.class);
            }
            var purge = session.createMessage(true);
            ManagementHelper.putOperationInvocation(purge, ResourceNames.QUEUE + "onboarding.requests", "removeAllMessages");
            try (var producer = session.createProducer(management)) {
                assertThatThrownBy(() -> producer.send(purge)).isInstanceOf(ActiveMQSecurityException.class);
            }
            assertThatThrownBy(() -> session.createQueue(QueueConfiguration.of("spy").setAddress(management)
                    .setRoutingType(RoutingType.ANYCAST).setDurable(false).setTemporary(true)))
                    .isInstanceOf(ActiveMQSecurityException.class);
            assertThatThrownBy(() -> session.createQueue(QueueConfiguration.of("spy").setAddress("activemq.notifications")
                    .setRoutingType(RoutingType.MULTICAST).setDurable(false).setTemporary(true)))
                    .isInstanceOf(ActiveMQSecurityException.class);
            assertThat(session.queueQuery(SimpleString.of("onboarding.results")).isExists()).isTrue();
        }
    }

    @Test
    void busClientCannotCreateDestroyOrStealFromDurableQueues() throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator(brokerUrl);
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession session = factory.createSession("bus", busPassword, false, true, true, false, 0)) {
            assertThatThrownBy(() -> session.createQueue(QueueConfiguration.of("my-durable").setRoutingType(RoutingType.ANYCAST)))
                    .isInstanceOf(ActiveMQSecurityException.class);
            assertThatThrownBy(() -> session.deleteQueue("onboarding.results")).isInstanceOf(ActiveMQSecurityException.class);
            assertThatThrownBy(() -> session.deleteQueue("onboarding.requests")).isInstanceOf(ActiveMQSecurityException.class);
            // requests carry GHTK passwords: no consumer, no browser, no temporary queue of one's own on their address
            assertThatThrownBy(() -> session.createConsumer("onboarding.requests")).isInstanceOf(ActiveMQSecurityException.class);
            assertThatThrownBy(() -> session.createConsumer("onboarding.requests", true)).isInstanceOf(ActiveMQSecurityException.class);
            assertThatThrownBy(() -> session.createQueue(QueueConfiguration.of("tap").setAddress("onboarding.requests")
                    .setRoutingType(RoutingType.ANYCAST).setDurable(false).setTemporary(true)))
                    .isInstanceOf(ActiveMQSecurityException.class);
            assertThatThrownBy(() -> session.createConsumer("onboarding.dead-letters")).isInstanceOf(ActiveMQSecurityException.class);
            // nor put a fake result where others read theirs
            try (var producer = session.createProducer("onboarding.results")) {
                assertThatThrownBy(() -> producer.send(session.createMessage(true))).isInstanceOf(ActiveMQSecurityException.class);
            }
        }
    }

    @Test
    void aTemporaryReplyQueueIsReadOnlyByTheConnectionThatCreatedIt() throws Exception {
        try (ActiveMQConnectionFactory bus = new ActiveMQConnectionFactory(brokerUrl, "bus", busPassword);
             JMSContext owner = bus.createContext();
             ServerLocator locator = ActiveMQClient.createServerLocator(brokerUrl);
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession other = factory.createSession("bus", busPassword, false, true, true, false, 0)) {
            TemporaryQueue replies = owner.createTemporaryQueue();
            owner.createProducer().setJMSReplyTo(replies).setJMSCorrelationID("private-1")
                    .send(owner.createQueue("onboarding.requests"), JmsChannelTest.request("private-reply-1"));

            // another connection with the same login, going around the JMS client's own check
            assertThatThrownBy(() -> other.createConsumer(replies.getQueueName())).isInstanceOf(ActiveMQSecurityException.class);
            assertThatThrownBy(() -> other.createConsumer(replies.getQueueName(), true)).isInstanceOf(ActiveMQSecurityException.class);
            assertThatThrownBy(() -> other.deleteQueue(replies.getQueueName())).isInstanceOf(ActiveMQSecurityException.class);
            try (StompClient stomp = new StompClient(brokerUrl, Duration.ofSeconds(10), "bus", busPassword)) {
                stomp.send("SUBSCRIBE", Map.of("id", "1", "destination", replies.getQueueName(), "receipt", "r1"), "");
                assertThat(stomp.read().command()).isEqualTo("ERROR");
            }

            try (JMSConsumer consumer = owner.createConsumer(replies)) {
                Message reply = consumer.receive(20_000);
                assertThat(reply).isNotNull();
                assertThat(reply.getJMSCorrelationID()).isEqualTo("private-1");
            }
            replies.delete();
        }
    }

    @Test
    void busClientCannotSendToAnyOtherAddress() {
        try (ActiveMQConnectionFactory bus = new ActiveMQConnectionFactory(brokerUrl, "bus", busPassword);
             JMSContext jms = bus.createContext()) {
            Queue elsewhere = jms.createQueue("chat");
            assertThatThrownBy(() -> jms.createProducer().send(elsewhere, "hello")).isInstanceOf(JMSRuntimeException.class);
        }
    }
}
