package vn.onboardinghub.channels.jms;

import java.io.PrintWriter;
import java.io.StringWriter;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

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

    /** A separately started Artemis that requires a login (its own JAAS security manager, user ext-hub). */
    @Test
    void hubLogsInToALoginRequiredExternalBroker() throws Exception {
        String brokerUrl = BrokerUrls.free();
        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("external").setPersistenceEnabled(false).setSecurityEnabled(true)
                .addAcceptorConfiguration("tcp", brokerUrl);
        config.putSecurityRoles("#", Set.of(new Role("amq", true, true, true, true, true, true, true, true, true, true)));
        config.setBrokerInstance(Files.createTempDirectory("external-broker").toFile());
        SecurityConfiguration users = new SecurityConfiguration();
        users.addUser("ext-hub", "ext-secret");
        users.addRole("ext-hub", "amq");
        EmbeddedActiveMQ external = new EmbeddedActiveMQ().setConfiguration(config)
                .setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
        external.start();
        try (ActiveMQConnectionFactory anonymous = new ActiveMQConnectionFactory(brokerUrl)) {
            assertThatThrownBy(() -> anonymous.createContext().close()).as("the broker does require a login")
                    .hasMessageContaining("AMQ229031");
        }
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.broker.embedded", "false",
                     "hub.broker.url", brokerUrl, "hub.broker.username", "ext-hub", "hub.broker.password", "ext-secret"));
             ActiveMQConnectionFactory connectionFactory = new ActiveMQConnectionFactory(brokerUrl, "ext-hub", "ext-secret");
             JMSContext jms = connectionFactory.createContext()) {
            assertThat(hub.get(hub.managementUrl("/observe/health/ready")).statusCode()).isEqualTo(200);
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

    /**
     * An enterprise's broker configured as docs/security.md "External broker" says (populate-validated-user, a durable reply queue), with
     * logins for two systems: each request is its sender's, a named reply queue takes its own client's results only,
     * and a request sent with the hub's own login is parked, not onboarded.
     */
    @Test
    void onAnExternalBrokerTheValidatedUserNamesTheClientAndItsNamedReplyQueue() throws Exception {
        String brokerUrl = BrokerUrls.free();
        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("external").setPersistenceEnabled(false).setSecurityEnabled(true).setPopulateValidatedUser(true)
                .addAcceptorConfiguration("tcp", brokerUrl)
                .addQueueConfiguration(QueueConfiguration.of("ERP.ONBOARDING.REPLY").setRoutingType(RoutingType.ANYCAST));
        config.putSecurityRoles("#", Set.of(new Role("amq", true, true, true, true, true, true, true, true, true, true)));
        config.setBrokerInstance(Files.createTempDirectory("external-broker").toFile());
        SecurityConfiguration users = new SecurityConfiguration();
        for (String user : List.of("ext-hub", "erp", "pos")) {
            users.addUser(user, user + "-secret");
            users.addRole(user, "amq");
        }
        EmbeddedActiveMQ external = new EmbeddedActiveMQ().setConfiguration(config)
                .setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
        external.start();
        ObjectMapper mapper = new ObjectMapper();
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.broker.embedded", "false",
                     "hub.broker.url", brokerUrl, "hub.broker.username", "ext-hub", "hub.broker.password", "ext-hub-secret",
                     "hub.bus.clients.erp.reply-queues", "ERP.ONBOARDING.REPLY", "hub.bus.clients.pos.reply-queues", "POS.REPLY.*"));
             ActiveMQConnectionFactory asErp = new ActiveMQConnectionFactory(brokerUrl, "erp", "erp-secret");
             ActiveMQConnectionFactory asPos = new ActiveMQConnectionFactory(brokerUrl, "pos", "pos-secret");
             ActiveMQConnectionFactory asHub = new ActiveMQConnectionFactory(brokerUrl, "ext-hub", "ext-hub-secret");
             JMSContext erp = asErp.createContext(); JMSContext pos = asPos.createContext(); JMSContext hubJms = asHub.createContext()) {
            Queue erpReplies = erp.createQueue("ERP.ONBOARDING.REPLY");
            erp.createProducer().setJMSReplyTo(erpReplies).setJMSCorrelationID("ext-erp-1")
                    .send(erp.createQueue("onboarding.requests"), JmsChannelTest.request("ext-erp-1"));
            pos.createProducer().setJMSReplyTo(erpReplies).setJMSCorrelationID("ext-pos-1")
                    .send(pos.createQueue("onboarding.requests"), JmsChannelTest.request("ext-pos-1"));
            hubJms.createProducer().setJMSCorrelationID("ext-hub-1").send(hubJms.createQueue("onboarding.requests"),
                    JmsChannelTest.request("ext-hub-1"));
            erp.createProducer().setJMSCorrelationID("ext-erp-2").send(erp.createQueue("onboarding.requests"),
                    JmsChannelTest.request("ext-erp-2"));

            try (JMSConsumer replies = erp.createConsumer(erpReplies)) {
                Message reply = replies.receive(20_000);
                assertThat(reply).as("erp's result in its named reply queue").isNotNull();
                assertThat(reply.getJMSCorrelationID()).isEqualTo("ext-erp-1");
                assertThat(mapper.readTree(reply.getBody(String.class)).path("client").asText()).isEqualTo("erp");
            }
            try (JMSConsumer results = erp.createConsumer(erp.createQueue("onboarding.results.erp"), "JMSCorrelationID = 'ext-erp-2'")) {
                Message result = results.receive(20_000);
                assertThat(result).as("erp's result without reply-to, on its own result queue").isNotNull();
                assertThat(mapper.readTree(result.getBody(String.class)).path("client").asText()).isEqualTo("erp");
            }
            try (JMSConsumer deadLetters = hubJms.createConsumer(hubJms.createQueue("onboarding.dead-letters"))) {
                Map<String, String> reasons = new java.util.HashMap<>();
                for (int i = 0; i < 2; i++) {
                    Message parked = deadLetters.receive(20_000);
                    assertThat(parked).isNotNull();
                    reasons.put(parked.getJMSCorrelationID(), parked.getStringProperty("HubDeadLetterReason"));
                }
                assertThat(reasons.get("ext-pos-1")).contains("nor a reply queue of client pos");
                assertThat(reasons.get("ext-hub-1")).contains("the hub's own login");
            }
            try (JMSConsumer replies = erp.createConsumer(erpReplies)) {
                assertThat(replies.receiveNoWait()).as("pos's result is not in erp's queue").isNull();
            }
        } finally {
            external.stop();
        }
    }

    @Test
    void aBrokerUrlReachableFromOtherMachinesNeedsTheHubsLogin() {
        // TEST-NET-1 (RFC 5737): never a local address; the hub refuses before it connects
        assertThatThrownBy(() -> TestHub.start(Map.of("hub.broker.embedded", "false", "hub.broker.url", "tcp://192.0.2.10:61616")).close())
                .hasStackTraceContaining("hub.broker.url=tcp://192.0.2.10:61616 is reachable from other machines:"
                        + " set hub.broker.username and hub.broker.password");
        assertThatThrownBy(() -> TestHub.start(Map.of("hub.broker.url", "tcp://0.0.0.0:" + BrokerUrls.free().replaceAll(".*:", ""))).close())
                .hasStackTraceContaining("is reachable from other machines: set hub.broker.username and hub.broker.password"
                        + " and hub.broker.client-password");
    }

    @Test
    void aBrokerUrlsParametersNeverReachAMessageTheyMayHoldAStorePassword() {
        String url = "tcp://192.0.2.10:61616?sslEnabled=true;trustStorePath=/etc/hub/trust.p12;trustStorePassword=store-Secret-1";
        Throwable refused = catchThrowable(() -> TestHub.start(Map.of("hub.broker.embedded", "false", "hub.broker.url", url)).close());
        StringWriter trace = new StringWriter();
        refused.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).contains("hub.broker.url=tcp://192.0.2.10:61616?… is reachable from other machines")
                .doesNotContain("store-Secret-1");
    }
}
