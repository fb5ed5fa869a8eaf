package vn.onboardinghub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A receiver that trickles its answer, a byte now and then, each well within the response timeout, never holds a
 * delivery thread longer than the two timeouts together: the attempt is cut off, recorded as timed out, tried again.
 */
class WebhookDeadlineTest {
    static final String ERP = "erp-key-0123456789abcdef";

    @Test
    void anAnswerThatTricklesIsCutOffAfterTheTwoTimeouts() throws Exception {
        AtomicBoolean closedByHub = new AtomicBoolean();
        CountDownLatch stop = new CountDownLatch(1);
        try (ServerSocket trickling = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = trickling.accept(); OutputStream out = s.getOutputStream()) {
                    // one byte of a status line every 200 ms: each read waits far less than the 1 s response timeout
                    for (byte b : "HTTP/1.1 204 No Content that never ends ".repeat(100).getBytes(StandardCharsets.US_ASCII)) {
                        out.write(b);
                        out.flush();
                        if (stop.await(200, TimeUnit.MILLISECONDS)) {
                            return;
                        }
                    }
                } catch (IOException e) {
                    closedByHub.set(true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
            Map<String, String> settings = Map.of("hub.sandbox.enabled", "true", "hub.api.keys", "",
                    "hub.api.clients.erp.keys", ERP,
                    "hub.api.clients.erp.webhook-url", "http://127.0.0.1:" + trickling.getLocalPort() + "/hooks",
                    "hub.api.clients.erp.webhook-secret", WebhooksTest.secret(),
                    "hub.webhooks.poll-ms", "100", "hub.webhooks.connect-timeout-ms", "500",
                    "hub.webhooks.response-timeout-ms", "1000", "hub.webhooks.retry-initial-ms", "600000");
            try (TestHub hub = TestHub.start(settings)) {
                var response = hub.post("/api/v1/onboardings", "{\"merchant\": {\"externalId\": \"M-SLOW\", \"name\": \"Shop\","
                        + " \"phone\": \"0912345678\"}, \"providers\": [\"ahamove\"]}", ERP);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

                JsonNode delivery = await().atMost(Duration.ofSeconds(20)).until(() ->
                        WebhookReceiver.MAPPER.readTree(hub.get("/api/v1/webhooks/deliveries", ERP).body()).path(0),
                        d -> d.path("attempts").asInt() == 1);
                assertThat(delivery.path("state").asText()).isEqualTo("PENDING");
                assertThat(delivery.path("lastError").asText()).isEqualTo("timed out");
                // the hub let go of the connection while the receiver still had bytes to send
                await().atMost(Duration.ofSeconds(10)).untilTrue(closedByHub);
            } finally {
                stop.countDown();
                server.join(10_000);
            }
        }
    }
}
