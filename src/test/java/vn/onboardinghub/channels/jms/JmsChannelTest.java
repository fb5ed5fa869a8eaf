package vn.onboardinghub.channels.jms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The bus channel of docs/contract.md "JMS bus" against the hub's real embedded Artemis, in sandbox mode. */
@WithHub({"hub.sandbox.enabled=true"})
class JmsChannelTest {
    static final long WAIT_MS = 20_000;
    static TestHub hub;
    static String brokerUrl;
    static ActiveMQConnectionFactory connectionFactory;
    static JMSContext jms;
    static Queue requests;
    static Queue results;
    final ObjectMapper mapper = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        brokerUrl = hub.setting("hub.broker.url");
        connectionFactory = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.BUS_USER, BrokerUrls.busPassword(hub.dataDir()));
        jms = connectionFactory.createContext();
        requests = jms.createQueue("onboarding.requests");
        results = jms.createQueue("onboarding.results");
    }

    @AfterAll
    static void stop() {
        jms.close();
        connectionFactory.close();
    }

    static String request(String requestId) {
        return """
                {"requestId": "%s",
                 "merchant": {"externalId": "M-JMS-1", "name": "Nguyễn Văn A", "phone": "0912 345 678", "email": "a@example.vn"},
                 "providers": ["ahamove", "socdo"],
                 "socdo": {"zaloUserId": "123456789"}}""".formatted(requestId);
    }

    @Test
    void resultGoesToJmsReplyToWithTheRequestsCorrelationId() throws Exception {
        Queue replies = jms.createTemporaryQueue();
        jms.createProducer().setJMSReplyTo(replies).setJMSCorrelationID("order-42").send(requests, request("reply-to-1"));

        try (JMSConsumer consumer = jms.createConsumer(replies)) {
            Message reply = consumer.receive(WAIT_MS);
            assertThat(reply).isInstanceOf(TextMessage.class);
            assertThat(reply.getJMSCorrelationID()).isEqualTo("order-42");
            JsonNode result = mapper.readTree(reply.getBody(String.class));
            assertThat(result.path("requestId").asText()).isEqualTo("reply-to-1");
            assertThat(result.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(result.at("/results/ahamove/credentials/token").asText()).isNotBlank();
            assertThat(result.at("/results/socdo/credentials/username").asText()).isEqualTo("zalo_123456789");
        }
    }

    @Test
    void withoutReplyToTheResultGoesToTheResultQueueCorrelatedByTheRequestsMessageId() throws Exception {
        TextMessage sent = jms.createTextMessage(request("no-reply-to-1"));
        jms.createProducer().send(requests, sent);
        String messageId = sent.getJMSMessageID();
        assertThat(messageId).isNotBlank();

        JsonNode result = mapper.readTree(receiveResult(messageId).getBody(String.class));
        assertThat(result.path("requestId").asText()).isEqualTo("no-reply-to-1");
        assertThat(result.path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aResultWaitingForTheMerchantCarriesTheMerchantLink() throws Exception {
        jms.createProducer().setJMSCorrelationID("link-corr").send(requests, request("link-1")
                .replace("\"zaloUserId\": \"123456789\"", "\"zaloUserId\": \"123456409\""));

        JsonNode result = mapper.readTree(receiveResult("link-corr").getBody(String.class));
        assertThat(result.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(result.at("/results/socdo/action/type").asText()).isEqualTo("LOGIN");
        assertThat(result.at("/merchantLink/url").asText()).startsWith(hub.url("/m/"));
        assertThat(result.at("/merchantLink/expiresAt").asText()).isNotBlank();
    }

    @Test
    void bytesMessageIsReadAsUtf8Json() throws Exception {
        BytesMessage sent = jms.createBytesMessage();
        sent.writeBytes(request("bytes-1").replace("M-JMS-1", "M-Đà-Nẵng").getBytes(StandardCharsets.UTF_8));
        jms.createProducer().setJMSCorrelationID("bytes-corr").send(requests, sent);

        JsonNode result = mapper.readTree(receiveResult("bytes-corr").getBody(String.class));
        assertThat(result.path("externalId").asText()).isEqualTo("M-Đà-Nẵng");
        assertThat(result.path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void invalidJsonGetsAnInvalidRequestResultAndIsNotRedelivered() throws Exception {
        jms.createProducer().setJMSCorrelationID("broken-1").send(requests, "{\"merchant\": {\"externalId\": ");

        JsonNode result = mapper.readTree(receiveResult("broken-1").getBody(String.class));
        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(result.at("/error/violations/0/field").asText()).isEqualTo("$");

        // consumed for good: not back on the queue, no second result, nothing dead-lettered
        try (JMSConsumer again = jms.createConsumer(results, "JMSCorrelationID = 'broken-1'")) {
            assertThat(again.receive(1_000)).isNull();
        }
        try (ActiveMQConnectionFactory asHub = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.HUB_USER,
                BrokerUrls.hubPassword(hub.dataDir()));
             JMSContext hubJms = asHub.createContext();
             QueueBrowser pending = hubJms.createBrowser(hubJms.createQueue("onboarding.requests"));
             QueueBrowser dead = hubJms.createBrowser(hubJms.createQueue("onboarding.dead-letters"))) {
            assertThat(Collections.list(pending.getEnumeration())).isEmpty();
            assertThat(Collections.list(dead.getEnumeration())).isEmpty();
        }
    }

    @Test
    void invalidRequestResultKeepsTheViolations() throws Exception {
        jms.createProducer().setJMSCorrelationID("invalid-1").send(requests, """
                {"requestId": "invalid-1", "merchant": {"externalId": "M-9", "name": "A", "phone": "12345"}}""");

        JsonNode result = mapper.readTree(receiveResult("invalid-1").getBody(String.class));
        assertThat(result.path("requestId").asText()).isEqualTo("invalid-1");
        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(result.at("/error/violations/0/field").asText()).isEqualTo("merchant.phone");
    }

    @Test
    void stompClientSendsARequestAndReceivesItsResult() throws Exception {
        try (StompClient stomp = new StompClient(brokerUrl, Duration.ofMillis(WAIT_MS), "bus", BrokerUrls.busPassword(hub.dataDir()))) {
            stomp.send("SUBSCRIBE", Map.of("id", "results", "destination", "onboarding.results", "ack", "auto",
                    "selector", "JMSCorrelationID = 'stomp-1'"), "");
            // persistent: STOMP messages are not durable unless asked
            stomp.send("SEND", Map.of("destination", "onboarding.requests", "content-type", "application/json",
                    "correlation-id", "stomp-1", "persistent", "true"), request("stomp-request-1"));

            StompClient.Frame message = stomp.read();
            assertThat(message.command()).isEqualTo("MESSAGE");
            assertThat(message.headers()).containsEntry("correlation-id", "stomp-1");
            JsonNode result = mapper.readTree(message.body());
            assertThat(result.path("requestId").asText()).isEqualTo("stomp-request-1");
            assertThat(result.path("status").asText()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void journalLivesUnderTheDataDir() throws Exception {
        Path journal = hub.dataDir().resolve("broker").resolve("journal");
        try (Stream<Path> files = Files.list(journal)) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(name -> name.endsWith(".amq"));
        }
        assertThat(hub.dataDir().resolve("broker").resolve("bindings")).isDirectory();
    }

    private Message receiveResult(String correlationId) throws Exception {
        try (JMSConsumer consumer = jms.createConsumer(results, "JMSCorrelationID = '" + correlationId + "'")) {
            Message result = consumer.receive(WAIT_MS);
            assertThat(result).as("result correlated by %s", correlationId).isNotNull();
            assertThat(result.getJMSCorrelationID()).isEqualTo(correlationId);
            return result;
        }
    }
}
