package vn.onboardinghub.channels.jms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.Docs;
import vn.onboardinghub.TestHub;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bus caller learns about a later change without polling (docs/contract.md "JMS bus", "Events and later updates"):
 * the merchant authorizes ITS days after the bus answered, and the bus system's own result queue gets the whole
 * result again under the request's correlation id, typed {@code onboarding.updated}; another bus system gets nothing.
 */
class BusUpdatesTest {
    static final long WAIT_MS = 20_000;
    static final ObjectMapper MAPPER = new ObjectMapper();
    static TestHub hub;
    static ActiveMQConnectionFactory asErp;
    static ActiveMQConnectionFactory asPos;
    static ActiveMQConnectionFactory asShared;

    @BeforeAll
    static void start() throws Exception {
        String brokerUrl = BrokerUrls.free();
        Map<String, String> props = new HashMap<>();
        props.put("hub.sandbox.enabled", "true");
        props.put("hub.broker.url", brokerUrl);
        props.put("hub.webhooks.poll-ms", "100");
        // the logins of docs/security.md "Bus logins": erp and pos
        Properties example = new Properties();
        example.load(new StringReader(Docs.read("docs/security.md").codeBlock("## Bus logins", "properties", 0)));
        example.stringPropertyNames().forEach(key -> props.put(key, example.getProperty(key)));
        hub = TestHub.start(props);
        asErp = new ActiveMQConnectionFactory(brokerUrl, "erp", example.getProperty("hub.bus.clients.erp.password"));
        asPos = new ActiveMQConnectionFactory(brokerUrl, "pos", example.getProperty("hub.bus.clients.pos.password"));
        asShared = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.BUS_USER, BrokerUrls.busPassword(hub.dataDir()));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        for (ActiveMQConnectionFactory factory : new ActiveMQConnectionFactory[] {asErp, asPos, asShared}) {
            if (factory != null) {
                factory.close();
            }
        }
    }

    static String itsRequest(String requestId) {
        return """
                {"requestId": "%s", "merchant": {"externalId": "%s", "name": "Cửa hàng ITS", "phone": "0912345678"},
                 "providers": ["its"]}""".formatted(requestId, requestId);
    }

    @Test
    void theItsCompletionReachesTheBusClientsResultQueueUnderTheRequestsCorrelationId() throws Exception {
        try (JMSContext erp = asErp.createContext(); JMSContext pos = asPos.createContext()) {
            // request and reply: the first answer goes to a temporary queue that is gone by the time the merchant acts
            Queue replies = erp.createTemporaryQueue();
            erp.createProducer().setJMSReplyTo(replies).setJMSCorrelationID("erp-its-1")
                    .send(erp.createQueue("onboarding.requests"), itsRequest("bus-its-1"));
            JsonNode first;
            try (JMSConsumer consumer = erp.createConsumer(replies)) {
                Message answer = consumer.receive(WAIT_MS);
                assertThat(answer).as("the first answer").isNotNull();
                assertThat(answer.getStringProperty("HubEventType")).isEqualTo("onboarding.action_required");
                first = MAPPER.readTree(answer.getBody(String.class));
            }
            assertThat(first.path("status").asText()).isEqualTo("ACTION_REQUIRED");
            assertThat(first.at("/results/its/action/type").asText()).isEqualTo("AUTHORIZE");

            authorizeIts(first);

            Message update;
            try (JMSConsumer results = erp.createConsumer(erp.createQueue("onboarding.results.erp"), "JMSCorrelationID = 'erp-its-1'")) {
                update = results.receive(WAIT_MS);
            }
            assertThat(update).as("the update on erp's result queue").isNotNull();
            assertThat(update.getStringProperty("HubEventType")).isEqualTo("onboarding.updated");
            JsonNode updated = MAPPER.readTree(update.getBody(String.class));
            assertThat(updated.path("onboardingId").asText()).isEqualTo(first.path("onboardingId").asText());
            assertThat(updated.path("requestId").asText()).isEqualTo("bus-its-1");
            assertThat(updated.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(updated.at("/results/its/status").asText()).isEqualTo("SUCCEEDED");
            // the whole result, as a first answer has it: the bus has no GET to read the credentials with
            assertThat(updated.at("/results/its/credentials").size()).isPositive();
            assertThat(updated.has("merchantLink")).as("nothing waits for the merchant any more").isFalse();

            // counted for operators
            String metrics = hub.get(hub.managementUrl("/observe/metrics"), null).body();
            assertThat(metrics).containsPattern("hub_events_attempts_total\\{channel=\"bus\",outcome=\"delivered\"\\} [1-9]");

            // pos, another bus system, gets nothing of it (and the shared result queue neither)
            QueueBrowser posResults = pos.createBrowser(pos.createQueue("onboarding.results.pos"));
            assertThat(Collections.list(posResults.getEnumeration())).isEmpty();
        }
        try (JMSContext shared = asShared.createContext()) {
            assertThat(Collections.list(shared.createBrowser(shared.createQueue("onboarding.results"),
                    "JMSCorrelationID = 'erp-its-1'").getEnumeration())).isEmpty();
        }
    }

    @Test
    void anUpdateFollowsTheFirstAnswerToTheDurableReplyQueueTheRequestNamed() throws Exception {
        try (JMSContext erp = asErp.createContext()) {
            // one of erp's reply-queues (docs/security.md "Bus logins")
            Queue replies = erp.createQueue("ERP.ONBOARDING.REPLY");
            erp.createProducer().setJMSReplyTo(replies).setJMSCorrelationID("erp-durable-1")
                    .send(erp.createQueue("onboarding.requests"), itsRequest("bus-its-durable"));
            try (JMSConsumer consumer = erp.createConsumer(replies, "JMSCorrelationID = 'erp-durable-1'")) {
                Message answer = consumer.receive(WAIT_MS);
                assertThat(answer).as("the first answer").isNotNull();
                authorizeIts(MAPPER.readTree(answer.getBody(String.class)));

                Message update = consumer.receive(WAIT_MS);
                assertThat(update).as("the update, where the first answer went").isNotNull();
                assertThat(update.getStringProperty("HubEventType")).isEqualTo("onboarding.updated");
                assertThat(MAPPER.readTree(update.getBody(String.class)).path("status").asText()).isEqualTo("SUCCEEDED");
            }
            assertThat(Collections.list(erp.createBrowser(erp.createQueue("onboarding.results.erp"),
                    "JMSCorrelationID = 'erp-durable-1'").getEnumeration())).as("not also on the result queue").isEmpty();
        }
    }

    @Test
    void theSharedLoginsUpdateGoesToTheSharedResultQueueOnceAndEveryAnswerIsTyped() throws Exception {
        try (JMSContext bus = asShared.createContext()) {
            Queue results = bus.createQueue("onboarding.results");
            bus.createProducer().setJMSCorrelationID("shared-its-1").send(bus.createQueue("onboarding.requests"), itsRequest("bus-its-2"));
            try (JMSConsumer consumer = bus.createConsumer(results, "JMSCorrelationID = 'shared-its-1'")) {
                Message answer = consumer.receive(WAIT_MS);
                assertThat(answer).as("the first answer").isNotNull();
                assertThat(answer.getStringProperty("HubEventType")).isEqualTo("onboarding.action_required");
                authorizeIts(MAPPER.readTree(answer.getBody(String.class)));

                Message update = consumer.receive(WAIT_MS);
                assertThat(update).as("the update").isNotNull();
                assertThat(update.getStringProperty("HubEventType")).isEqualTo("onboarding.updated");
                assertThat(MAPPER.readTree(update.getBody(String.class)).path("status").asText()).isEqualTo("SUCCEEDED");
                // one change, one update
                assertThat(consumer.receive(1_000)).isNull();
            }
        }
        // a finished onboarding's answer is typed as completed
        try (JMSContext bus = asShared.createContext()) {
            bus.createProducer().setJMSCorrelationID("shared-done-1").send(bus.createQueue("onboarding.requests"),
                    itsRequest("bus-done-1").replace("[\"its\"]", "[\"ahamove\"]"));
            try (JMSConsumer consumer = bus.createConsumer(bus.createQueue("onboarding.results"), "JMSCorrelationID = 'shared-done-1'")) {
                Message answer = consumer.receive(WAIT_MS);
                assertThat(answer).isNotNull();
                assertThat(answer.getStringProperty("HubEventType")).isEqualTo("onboarding.completed");
            }
        }
    }

    /** The merchant follows the result's ITS link, logs in at the ITS sandbox, and comes back through the callback. */
    static void authorizeIts(JsonNode result) throws Exception {
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(result.at("/results/its/action/url").asText()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
        HttpResponse<String> callback = browser.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location")
                .orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
    }
}
