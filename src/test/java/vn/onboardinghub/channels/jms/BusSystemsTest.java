package vn.onboardinghub.channels.jms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.TemporaryQueue;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onboardinghub.Docs;
import vn.onboardinghub.TestHub;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two bus systems with logins of their own ({@code hub.bus.clients.erp}, {@code hub.bus.clients.pos}) on the embedded
 * broker: neither reads, browses, taps or receives the other's requests or results, by any address, wildcard,
 * reply-to or correlation trick, over CORE or STOMP (the attacks of the probe, one by one).
 */
class BusSystemsTest {
    private static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    static String erpPassword;
    static String posPassword;
    static final WireMockServer provider = new WireMockServer(options().dynamicPort());
    static TestHub hub;
    static String brokerUrl;
    static ActiveMQConnectionFactory asErp;
    static ActiveMQConnectionFactory asPos;
    static ActiveMQConnectionFactory asBus;
    static ActiveMQConnectionFactory asHub;
    final ObjectMapper mapper = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        provider.start();
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"erp-or-pos-token\", \"refresh_token\": \"r\"}")));
        brokerUrl = BrokerUrls.free();
        Map<String, String> props = new HashMap<>(TestHub.providersAt(provider.baseUrl()));
        props.put("hub.broker.url", brokerUrl);
        // the example of docs/security.md "Bus logins": erp (with its reply queues) and pos
        Properties example = new Properties();
        example.load(new StringReader(Docs.read("docs/security.md").codeBlock("## Bus logins", "properties", 0)));
        example.stringPropertyNames().forEach(key -> props.put(key, example.getProperty(key)));
        erpPassword = example.getProperty("hub.bus.clients.erp.password");
        posPassword = example.getProperty("hub.bus.clients.pos.password");
        hub = TestHub.start(props);
        asErp = new ActiveMQConnectionFactory(brokerUrl, "erp", erpPassword);
        asPos = new ActiveMQConnectionFactory(brokerUrl, "pos", posPassword);
        asBus = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.BUS_USER, BrokerUrls.busPassword(hub.dataDir()));
        asHub = new ActiveMQConnectionFactory(brokerUrl, BrokerUrls.HUB_USER, BrokerUrls.hubPassword(hub.dataDir()));
    }

    @AfterAll
    static void stop() {
        asErp.close();
        asPos.close();
        asBus.close();
        asHub.close();
        hub.close();
        provider.stop();
    }

    @BeforeEach
    void forgetCalls() {
        provider.resetRequests();
    }

    static String request(String requestId, String externalId) {
        return """
                {"requestId": "%s", "merchant": {"externalId": "%s", "name": "Shop", "phone": "0912345678"}, "providers": ["ahamove"]}"""
                .formatted(requestId, externalId);
    }

    /** The shared login first (it exists on the code before bus systems had logins of their own), then a system's. */
    private static String[][] logins() {
        return new String[][] {{BrokerUrls.BUS_USER, BrokerUrls.busPassword(hub.dataDir())}, {"pos", posPassword}};
    }

    private static ClientSession core(ClientSessionFactory factory, String user, String password) throws Exception {
        return factory.createSession(user, password, false, true, true, false, 0);
    }

    @Test
    void eachSystemsResultGoesToItsOwnResultQueueWhichNoOtherLoginCanRead() throws Exception {
        try (JMSContext erp = asErp.createContext()) {
            erp.createProducer().setJMSCorrelationID("erp-own-1").send(erp.createQueue("onboarding.requests"), request("erp-own-1", "M-ERP-OWN"));
            try (JMSConsumer results = erp.createConsumer(erp.createQueue("onboarding.results.erp"), "JMSCorrelationID = 'erp-own-1'")) {
                Message result = results.receive(20_000);
                assertThat(result).as("erp's result on its own queue").isNotNull();
                JsonNode json = mapper.readTree(result.getBody(String.class));
                assertThat(json.path("client").asText()).isEqualTo("erp");
                assertThat(json.path("status").asText()).isEqualTo("SUCCEEDED");
            }
        }
        // not on the shared result queue
        try (JMSContext jms = asHub.createContext();
             QueueBrowser shared = jms.createBrowser(jms.createQueue("onboarding.results"), "JMSCorrelationID = 'erp-own-1'")) {
            assertThat(Collections.list(shared.getEnumeration())).isEmpty();
        }
        try (ServerLocator locator = ActiveMQClient.createServerLocator(brokerUrl);
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession pos = core(factory, "pos", posPassword);
             ClientSession bus = core(factory, BrokerUrls.BUS_USER, BrokerUrls.busPassword(hub.dataDir()))) {
            for (ClientSession other : new ClientSession[] {pos, bus}) {
                assertThatThrownBy(() -> other.createConsumer("onboarding.results.erp")).isInstanceOf(ActiveMQSecurityException.class);
                assertThatThrownBy(() -> other.createConsumer("onboarding.results.erp", true)).isInstanceOf(ActiveMQSecurityException.class);
                assertThatThrownBy(() -> other.createConsumer("ERP.ONBOARDING.REPLY")).isInstanceOf(ActiveMQSecurityException.class);
                assertThatThrownBy(() -> other.createConsumer("onboarding.requests", true)).isInstanceOf(ActiveMQSecurityException.class);
            }
            // a system's own login reads its own queue only, not the shared one
            assertThatThrownBy(() -> pos.createConsumer("onboarding.results", true)).isInstanceOf(ActiveMQSecurityException.class);
        }
        try (StompClient stomp = new StompClient(brokerUrl, Duration.ofSeconds(10), "pos", posPassword)) {
            stomp.send("SUBSCRIBE", Map.of("id", "1", "destination", "onboarding.results.erp", "receipt", "r1"), "");
            assertThat(stomp.read().command()).isEqualTo("ERROR");
        }
    }

    /** The probe's tap: a queue on a wildcard address received a copy of every request and result. */
    @ParameterizedTest
    @ValueSource(strings = {"#", "onboarding.#", "*", "onboarding.*", "onboarding.results.*", "activemq.notifications"})
    void noLoginCanPutAQueueOnAWildcardOrTheBrokersAddresses(String address) throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator(brokerUrl);
             ClientSessionFactory factory = locator.createSessionFactory()) {
            for (String[] login : logins()) {
                try (ClientSession tapper = core(factory, login[0], login[1])) {
                    for (RoutingType routing : RoutingType.values()) {
                        assertThatThrownBy(() -> tapper.createQueue(QueueConfiguration.of("tap-" + routing).setAddress(address)
                                .setRoutingType(routing).setDurable(false).setTemporary(true)))
                                .as("%s taps %s (%s)", login[0], address, routing)
                                .isInstanceOf(ActiveMQSecurityException.class);
                    }
                }
            }
        }
        try (StompClient stomp = new StompClient(brokerUrl, Duration.ofSeconds(10), "pos", posPassword)) {
            stomp.send("SUBSCRIBE", Map.of("id", "1", "destination", address, "receipt", "r1"), "");
            assertThat(stomp.read().command()).isEqualTo("ERROR");
        }
    }

    /** The probe's lasting tap: a non-durable queue that is not temporary outlives its connection. */
    @Test
    void aBusLoginCreatesTemporaryQueuesOnly() throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator(brokerUrl);
             ClientSessionFactory factory = locator.createSessionFactory()) {
            for (String[] login : logins()) {
                try (ClientSession session = core(factory, login[0], login[1])) {
                    String address = "lasting-" + login[0];
                    assertThatThrownBy(() -> session.createQueue(QueueConfiguration.of(address).setAddress(address)
                            .setRoutingType(RoutingType.ANYCAST).setDurable(false).setTemporary(false)))
                            .isInstanceOf(ActiveMQSecurityException.class);
                    assertThat(session.queueQuery(SimpleString.of(address)).isExists()).isFalse();
                }
            }
        }
    }

    /** The probe's reply-to injection: B named A's temporary queue and A's correlation id, and A took B's result. */
    @Test
    void aResultNeverGoesToAnotherConnectionsTemporaryQueue() throws Exception {
        try (JMSContext victim = asBus.createContext();
             JMSContext attacker = asBus.createContext();
             JMSContext hubJms = asHub.createContext()) {
            // the same shared login on another connection
            TemporaryQueue victimReplies = victim.createTemporaryQueue();
            attacker.createProducer().setJMSReplyTo(victimReplies).setJMSCorrelationID("victim-1")
                    .send(attacker.createQueue("onboarding.requests"), request("injected-1", "M-INJECT-1"));
            assertParked(hubJms, "victim-1", "temporary queue of another connection");
            try (JMSConsumer victimConsumer = victim.createConsumer(victimReplies)) {
                assertThat(victimConsumer.receiveNoWait()).isNull();
            }
        }
        try (JMSContext erp = asErp.createContext();
             JMSContext pos = asPos.createContext();
             JMSContext hubJms = asHub.createContext()) {
            // another system's login
            TemporaryQueue erpReplies = erp.createTemporaryQueue();
            pos.createProducer().setJMSReplyTo(erpReplies).setJMSCorrelationID("erp-password-of-32-bytes-or-more-1")
                    .send(pos.createQueue("onboarding.requests"), request("injected-2", "M-INJECT-2"));
            assertParked(hubJms, "erp-password-of-32-bytes-or-more-1", "temporary queue of another connection");
            try (JMSConsumer erpConsumer = erp.createConsumer(erpReplies)) {
                assertThat(erpConsumer.receiveNoWait()).isNull();
            }
            // the owner's own request still gets its result there
            erp.createProducer().setJMSReplyTo(erpReplies).setJMSCorrelationID("erp-2")
                    .send(erp.createQueue("onboarding.requests"), request("erp-reply-2", "M-ERP-2"));
            try (JMSConsumer erpConsumer = erp.createConsumer(erpReplies)) {
                Message reply = erpConsumer.receive(20_000);
                assertThat(reply).isNotNull();
                assertThat(reply.getJMSCorrelationID()).isEqualTo("erp-2");
                assertThat(mapper.readTree(reply.getBody(String.class)).path("client").asText()).isEqualTo("erp");
            }
        }
    }

    private static void assertParked(JMSContext hubJms, String correlationId, String reason) throws Exception {
        try (JMSConsumer deadLetters = hubJms.createConsumer(hubJms.createQueue("onboarding.dead-letters"),
                "JMSCorrelationID = '" + correlationId + "'")) {
            Message parked = deadLetters.receive(20_000);
            assertThat(parked).as("the result of %s, parked", correlationId).isNotNull();
            assertThat(parked.getStringProperty("HubDeadLetterReason")).contains(reason);
        }
    }

    /** The probe's stored-token theft: a second system sent the first one's externalId and phone and got its token. */
    @Test
    void aSystemNeverGetsAnotherSystemsStoredResult() throws Exception {
        JsonNode erpResult = onboardAndRead(asErp, "onboarding.results.erp", "same-request-1", "M-SHARED-1");
        assertThat(erpResult.at("/results/ahamove/attempts").asInt()).isEqualTo(1);
        // the same requestId and the same merchant, from the other system
        JsonNode posResult = onboardAndRead(asPos, "onboarding.results.pos", "same-request-1", "M-SHARED-1");
        assertThat(posResult.path("client").asText()).isEqualTo("pos");
        assertThat(posResult.path("onboardingId").asText()).isNotEqualTo(erpResult.path("onboardingId").asText());
        assertThat(posResult.at("/results/ahamove/attempts").asInt()).as("called for pos, not erp's stored result").isEqualTo(1);
        assertThat(provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE)))).hasSize(2);
        // erp itself still gets its stored result
        JsonNode again = onboardAndRead(asErp, "onboarding.results.erp", "same-request-2", "M-SHARED-1");
        assertThat(again.at("/results/ahamove/attempts").asInt()).isZero();
    }

    private JsonNode onboardAndRead(ActiveMQConnectionFactory login, String resultQueue, String requestId, String externalId) throws Exception {
        String correlationId = login.getUser() + "-" + requestId + "-" + externalId;
        try (JMSContext jms = login.createContext()) {
            jms.createProducer().setJMSCorrelationID(correlationId).send(jms.createQueue("onboarding.requests"), request(requestId, externalId));
            try (JMSConsumer results = jms.createConsumer(jms.createQueue(resultQueue), "JMSCorrelationID = '" + correlationId + "'")) {
                Message result = results.receive(20_000);
                assertThat(result).as("result of %s", correlationId).isNotNull();
                return mapper.readTree(result.getBody(String.class));
            }
        }
    }

    /** The enterprise request/reply pattern: a durable reply queue of the client's, named in hub.bus.clients.erp.reply-queues. */
    @Test
    void aNamedReplyQueueAllowedForTheClientReceivesItsResultAndNoOneElses() throws Exception {
        try (JMSContext erp = asErp.createContext(); JMSContext pos = asPos.createContext(); JMSContext hubJms = asHub.createContext()) {
            erp.createProducer().setJMSReplyTo(erp.createQueue("ERP.ONBOARDING.REPLY")).setJMSCorrelationID("named-1")
                    .send(erp.createQueue("onboarding.requests"), request("named-1", "M-NAMED-1"));
            // pos names erp's reply queue
            pos.createProducer().setJMSReplyTo(pos.createQueue("ERP.ONBOARDING.REPLY")).setJMSCorrelationID("named-2")
                    .send(pos.createQueue("onboarding.requests"), request("named-2", "M-NAMED-2"));
            try (JMSConsumer replies = erp.createConsumer(erp.createQueue("ERP.ONBOARDING.REPLY"))) {
                Message reply = replies.receive(20_000);
                assertThat(reply).isNotNull();
                assertThat(reply.getJMSCorrelationID()).isEqualTo("named-1");
                assertThat(mapper.readTree(reply.getBody(String.class)).path("status").asText()).isEqualTo("SUCCEEDED");
                assertParked(hubJms, "named-2", "nor a reply queue of client pos");
                assertThat(replies.receiveNoWait()).as("pos's result is not in erp's queue").isNull();
            }
        }
        // over STOMP, which has no temporary queues: the named reply queue is how a Python or Node system gets its result
        try (StompClient stomp = new StompClient(brokerUrl, Duration.ofSeconds(20), "erp", erpPassword)) {
            stomp.send("SUBSCRIBE", Map.of("id", "replies", "destination", "ERP.ONBOARDING.REPLY", "ack", "auto"), "");
            stomp.send("SEND", Map.of("destination", "onboarding.requests", "persistent", "true", "correlation-id", "named-stomp-1",
                    "reply-to", "ERP.ONBOARDING.REPLY"), request("named-stomp-1", "M-NAMED-3"));
            StompClient.Frame message = stomp.read();
            assertThat(message.command()).isEqualTo("MESSAGE");
            assertThat(message.headers()).containsEntry("correlation-id", "named-stomp-1");
        }
    }

    /** The login stamp is the broker's: a sender naming another system in the message is still itself. */
    @Test
    void aSenderCannotClaimAnotherSystemsLogin() throws Exception {
        try (JMSContext pos = asPos.createContext()) {
            pos.createProducer().setJMSCorrelationID("claim-1").setProperty("JMSXUserID", "erp").setProperty("_AMQ_VALIDATED_USER", "erp")
                    .setProperty("HubSenderLogin", "erp").send(pos.createQueue("onboarding.requests"), request("claim-1", "M-CLAIM-1"));
            try (JMSConsumer results = pos.createConsumer(pos.createQueue("onboarding.results.pos"), "JMSCorrelationID = 'claim-1'")) {
                Message result = results.receive(20_000);
                assertThat(result).isNotNull();
                assertThat(mapper.readTree(result.getBody(String.class)).path("client").asText()).isEqualTo("pos");
            }
        }
        try (StompClient stomp = new StompClient(brokerUrl, Duration.ofSeconds(20), "pos", posPassword)) {
            stomp.send("SUBSCRIBE", Map.of("id", "results", "destination", "onboarding.results.pos", "ack", "auto",
                    "selector", "JMSCorrelationID = 'claim-2'"), "");
            stomp.send("SEND", Map.of("destination", "onboarding.requests", "persistent", "true", "correlation-id", "claim-2",
                    "JMSXUserID", "erp", "_AMQ_VALIDATED_USER", "erp", "HubSenderLogin", "erp"), request("claim-2", "M-CLAIM-2"));
            StompClient.Frame message = stomp.read();
            assertThat(message.command()).isEqualTo("MESSAGE");
            assertThat(mapper.readTree(message.body()).path("client").asText()).isEqualTo("pos");
        }
    }

    /** Over AMQP too: the message's user-id and properties, which its sender writes, do not make it another system's. */
    @Test
    void anAmqpSenderIsItsOwnLoginWhateverItsMessageSays() throws Exception {
        try (AmqpSender pos = new AmqpSender(brokerUrl, "pos", posPassword, "onboarding.requests")) {
            pos.send(request("amqp-claim-1", "M-AMQP-1"), "amqp-claim-1", "erp".getBytes(StandardCharsets.UTF_8),
                    Map.of("HubSenderLogin", "erp", "JMSXUserID", "erp", "_AMQ_VALIDATED_USER", "erp"));
        }
        try (JMSContext pos = asPos.createContext();
             JMSConsumer results = pos.createConsumer(pos.createQueue("onboarding.results.pos"), "JMSCorrelationID = 'amqp-claim-1'")) {
            Message result = results.receive(20_000);
            assertThat(result).as("pos's AMQP request, onboarded as pos's").isNotNull();
            assertThat(mapper.readTree(result.getBody(String.class)).path("client").asText()).isEqualTo("pos");
        }
    }

    @Test
    void aMisconfiguredBusClientStopsTheStart() {
        assertThatThrownBy(() -> TestHub.start(Map.of("hub.bus.clients.erp.reply-queues", "ERP.REPLY")).close())
                .hasStackTraceContaining("bus client 'erp' has no password: set hub.bus.clients.erp.password");
        // a reply queue that is another system's result queue would let erp read pos's results
        assertThatThrownBy(() -> TestHub.start(Map.of("hub.bus.clients.erp.password", "erp-password-of-32-bytes-or-more-1", "hub.bus.clients.pos.password", "pos-password-of-32-bytes-or-more-1",
                "hub.bus.clients.erp.reply-queues", "onboarding.results.pos")).close())
                .hasStackTraceContaining("hub.bus.clients.erp.reply-queues names onboarding.results.pos");
        assertThatThrownBy(() -> TestHub.start(Map.of("hub.bus.clients.erp.password", "erp-password-of-32-bytes-or-more-1", "hub.bus.clients.erp.reply-queues", "ERP.#")).close())
                .hasStackTraceContaining("must be a queue name, or a prefix ending in '*'");
        assertThatThrownBy(() -> TestHub.start(Map.of("hub.bus.clients.bus.password", "bus-password-of-32-bytes-or-more-1")).close())
                .hasStackTraceContaining("bus client name 'bus'");
    }
}
