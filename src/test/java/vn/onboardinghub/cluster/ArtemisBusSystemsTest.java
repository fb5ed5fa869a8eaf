package vn.onboardinghub.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.TestHub;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The customer's own Artemis (the official distribution), configured as docs/security.md "Bus logins" says
 * ({@code populate-validated-user}) with a user per bus system: the enterprise request/reply pattern, a durable reply
 * queue named in {@code hub.bus.clients.erp.reply-queues}, gets erp's results and no one else's.
 */
class ArtemisBusSystemsTest {
    @TempDir
    Path work;

    @Test
    void aNamedReplyQueueOnTheCustomersBrokerReceivesItsClientsResults() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path instance = work.resolve("broker");
        ArtemisDistribution broker = ArtemisDistribution.create(instance, port, "broker-" + UUID.randomUUID());
        Path etc = instance.resolve("etc");
        Path brokerXml = etc.resolve("broker.xml");
        String xml = Files.readString(brokerXml);
        Files.writeString(brokerXml, xml.replaceFirst("(<name>[^<]*</name>)", "$1\n      <populate-validated-user>true</populate-validated-user>"));
        Files.writeString(etc.resolve("artemis-users.properties"), "\nerp = erp-secret\npos = pos-secret\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        Path roles = etc.resolve("artemis-roles.properties");
        Files.writeString(roles, Files.readString(roles).replaceFirst("(?m)^(amq\\s*=.*)$", "$1,erp,pos"));
        broker.start();
        ObjectMapper mapper = new ObjectMapper();
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.broker.embedded", "false",
                     "hub.broker.url", broker.url, "hub.broker.username", ArtemisDistribution.USER, "hub.broker.password", broker.password,
                     "hub.bus.clients.erp.reply-queues", "ERP.ONBOARDING.REPLY"));
             ActiveMQConnectionFactory asErp = new ActiveMQConnectionFactory(broker.url, "erp", "erp-secret");
             ActiveMQConnectionFactory asPos = new ActiveMQConnectionFactory(broker.url, "pos", "pos-secret");
             ActiveMQConnectionFactory asHub = broker.connectionFactory();
             JMSContext erp = asErp.createContext(); JMSContext pos = asPos.createContext(); JMSContext hubJms = asHub.createContext();
             // the customer's durable reply queue (created by its consumer, as the broker's defaults allow)
             JMSConsumer replies = erp.createConsumer(erp.createQueue("ERP.ONBOARDING.REPLY"))) {
            Queue erpReplies = erp.createQueue("ERP.ONBOARDING.REPLY");
            erp.createProducer().setJMSReplyTo(erpReplies).setJMSCorrelationID("dist-erp-1")
                    .send(erp.createQueue("onboarding.requests"), request("dist-erp-1"));
            pos.createProducer().setJMSReplyTo(erpReplies).setJMSCorrelationID("dist-pos-1")
                    .send(pos.createQueue("onboarding.requests"), request("dist-pos-1"));

            Message reply = replies.receive(30_000);
            assertThat(reply).as("erp's result in ERP.ONBOARDING.REPLY").isNotNull();
            assertThat(reply.getJMSCorrelationID()).isEqualTo("dist-erp-1");
            assertThat(mapper.readTree(reply.getBody(String.class)).path("client").asText()).isEqualTo("erp");
            try (JMSConsumer deadLetters = hubJms.createConsumer(hubJms.createQueue("onboarding.dead-letters"), "JMSCorrelationID = 'dist-pos-1'")) {
                Message parked = deadLetters.receive(30_000);
                assertThat(parked).as("pos's result, parked").isNotNull();
                // pos is a user of that broker but no hub.bus.clients name: its requests are the shared client's
                assertThat(parked.getStringProperty("HubDeadLetterReason")).contains("nor a reply queue of client jms");
            }
            assertThat(replies.receiveNoWait()).as("nothing of pos's in erp's queue").isNull();
        } finally {
            broker.stop();
        }
    }

    private static String request(String requestId) {
        return """
                {"requestId": "%s", "merchant": {"externalId": "M-%s", "name": "Shop", "phone": "0912345678"},
                 "providers": ["socdo"], "socdo": {"zaloUserId": "123456789"}}""".formatted(requestId, requestId);
    }
}
