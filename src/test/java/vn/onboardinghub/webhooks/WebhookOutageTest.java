package vn.onboardinghub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.ops.CapturedLogs;
import vn.onboardinghub.store.StoppableDatabase;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An outage of the hub's database only pauses webhook deliveries ("an infrastructure fault is never a record's
 * failure"): no event is given up or lost for it, and the waiting ones are delivered once the database is back.
 */
class WebhookOutageTest {
    static final String ERP = "erp-key-0123456789abcdef";

    @Test
    void aDatabaseOutagePausesDeliveriesAndTheyGoOnWhenItIsBack() throws Exception {
        String secret = WebhooksTest.secret();
        try (StoppableDatabase database = new StoppableDatabase("postgresql");
             WebhookReceiver receiver = new WebhookReceiver(secret)) {
            Map<String, String> settings = new HashMap<>(database.hubSettings());
            settings.put("hub.sandbox.enabled", "true");
            settings.put("hub.api.keys", "");
            settings.put("hub.api.clients.erp.keys", ERP);
            settings.put("hub.api.clients.erp.webhook-url", receiver.url());
            settings.put("hub.api.clients.erp.webhook-secret", secret);
            settings.put("hub.webhooks.poll-ms", "100");
            settings.put("hub.webhooks.retry-initial-ms", "100");
            settings.put("hub.webhooks.retry-max-ms", "200");
            try (TestHub hub = TestHub.start(settings); CapturedLogs logs = CapturedLogs.capture()) {
                receiver.answer(503);
                var response = hub.post("/api/v1/onboardings", "{\"merchant\": {\"externalId\": \"M-OUT\", \"name\": \"Shop\","
                        + " \"phone\": \"0912345678\"}, \"providers\": [\"ahamove\"]}", ERP);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() >= 2);

                database.stop();
                receiver.answer(204);
                await().atMost(Duration.ofSeconds(30)).until(() -> logs.events().stream().map(CapturedLogs::text)
                        .anyMatch(line -> line.contains("webhook events paused: the database is unavailable")));
                database.start();

                JsonNode delivery = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> WebhookReceiver.MAPPER.readTree(hub.get("/api/v1/webhooks/deliveries", ERP).body()).get(0),
                                d -> !d.path("state").asText().equals("PENDING"));
                assertThat(delivery.path("state").asText()).isEqualTo("DELIVERED");
                assertThat(delivery.path("lastStatus").asInt()).isEqualTo(204);
                assertThat(receiver.verified()).hasSize(1);
                assertThat(logs.events().stream().map(CapturedLogs::text))
                        .anyMatch(line -> line.contains("webhook events go on: the database is available again"));
            }
        }
    }
}
