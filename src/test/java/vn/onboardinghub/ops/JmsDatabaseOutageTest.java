package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.store.StoppableDatabase;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A bus request that arrives while the hub's database is unavailable is answered once, after the database is back: the
 * hub waits for its database within the delivery, so the request is neither failed nor rolled back and redelivered
 * (each of which would use one of the broker's 10 deliveries).
 */
class JmsDatabaseOutageTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void requestDuringAnOutageIsAnsweredOnceAfterIt() throws Exception {
        try (StoppableDatabase database = new StoppableDatabase()) {
            Map<String, String> settings = new HashMap<>(database.hubSettings());
            String brokerUrl = "tcp://127.0.0.1:" + TestHub.freePort();
            settings.putAll(Map.of("hub.sandbox.enabled", "true", "hub.broker.url", brokerUrl));
            try (TestHub hub = TestHub.start(settings);
                 ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl, "bus",
                         Files.readString(hub.dataDir().resolve("keys").resolve("broker-client.password")).strip());
                 JMSContext jms = factory.createContext();
                 CapturedLogs logs = CapturedLogs.capture()) {
                Queue requests = jms.createQueue("onboarding.requests");
                Queue results = jms.createQueue("onboarding.results");
                database.stop();

                jms.createProducer().setJMSCorrelationID("outage-bus-1").send(requests, """
                        {"requestId": "outage-bus-1", "merchant": {"externalId": "M-BUS-1", "name": "Shop", "phone": "0912345678"},
                         "providers": ["ahamove"]}""");
                try (JMSConsumer consumer = jms.createConsumer(results, "JMSCorrelationID = 'outage-bus-1'")) {
                    // the hub waits for its database: no result, and no FAILED one, while it is away
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                            hub.get(hub.managementUrl("/observe/health/ready"), null).body().contains("DOWN"));
                    assertThat(consumer.receive(3000)).isNull();
                    database.start();

                    Message result = consumer.receive(60_000);
                    assertThat(result).isNotNull();
                    JsonNode json = mapper.readTree(result.getBody(String.class));
                    assertThat(json.path("requestId").asText()).isEqualTo("outage-bus-1");
                    assertThat(json.path("status").asText()).isEqualTo("SUCCEEDED");
                    // one result: the request was neither failed nor answered again
                    assertThat(consumer.receive(3000)).isNull();
                    // and its delivery never failed (rolled back, to be redelivered)
                    assertThat(logs.events()).noneMatch(e -> e.getLevel().isMoreSpecificThan(Level.WARN)
                            && (e.getLoggerName().contains(".jms") || CapturedLogs.text(e).contains("listener")));
                }
            }
        }
    }
}
