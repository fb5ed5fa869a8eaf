package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.ops.OtlpReceiver.ReceivedSpan;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A change's events continue its trace (docs/operations.md "Traces"): the webhook a caller's request causes arrives
 * with a {@code traceparent} of that caller's trace, from a {@code webhook delivery} span under the hub's spans of the
 * request; a bus update caused by the ITS callback carries the callback's trace, from a {@code bus delivery} span.
 */
class EventTracesTest {
    static final String ERP = "erp-key-0123456789abcdef";
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final SecureRandom RANDOM = new SecureRandom();
    static OtlpReceiver collector;
    static HttpServer receiver;
    static final List<Map<String, String>> webhooks = new CopyOnWriteArrayList<>();
    static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        collector = new OtlpReceiver();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hooks", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            webhooks.add(Map.of("traceparent", String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")), "body", body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        Map<String, String> props = new HashMap<>();
        props.put("hub.sandbox.enabled", "true");
        props.put("hub.tracing.otlp-endpoint", collector.tracesUrl());
        props.put("hub.api.clients.erp.keys", ERP);
        props.put("hub.api.clients.erp.webhook-url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks");
        props.put("hub.api.clients.erp.webhook-secret", "whsec_" + Base64.getEncoder().encodeToString(key));
        props.put("hub.webhooks.poll-ms", "100");
        hub = TestHub.start(props);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        receiver.stop(0);
        collector.close();
    }

    @Test
    void theWebhookOfACallersRequestContinuesTheCallersTrace() throws Exception {
        String traceId = hex(16);
        String callerSpan = hex(8);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/onboardings")))
                .header("Content-Type", "application/json").header("X-API-Key", ERP)
                .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(request("trace-hook-1", "ahamove"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = MAPPER.readTree(response.body()).path("onboardingId").asText();

        Map<String, String> webhook = await().atMost(Duration.ofSeconds(20)).until(() -> webhooks.stream()
                .filter(w -> w.get("body").contains(id)).findFirst(), java.util.Optional::isPresent).orElseThrow();
        String[] traceparent = webhook.get("traceparent").split("-");
        assertThat(traceparent).as(webhook.get("traceparent")).hasSize(4);
        assertThat(traceparent[1]).as("the caller's trace").isEqualTo(traceId);

        ReceivedSpan delivery = await().atMost(Duration.ofSeconds(20)).until(() -> collector.spansOf(traceId).stream()
                .filter(s -> s.spanId().equals(traceparent[2])).findFirst(), java.util.Optional::isPresent).orElseThrow();
        assertThat(delivery.name()).isEqualTo("webhook delivery");
        assertThat(delivery.attributes()).containsEntry("hub.channel", "webhook")
                .containsEntry("hub.event.type", "onboarding.completed").containsEntry("http.status_code", "204");
        // under one of the hub's own spans of the request, not directly under the caller's
        assertThat(collector.spansOf(traceId)).extracting(ReceivedSpan::spanId).contains(delivery.parentSpanId());
        assertThat(delivery.parentSpanId()).isNotEqualTo(callerSpan);
    }

    @Test
    void aBusUpdateCausedByTheItsCallbackCarriesTheCallbacksTrace() throws Exception {
        ActiveMQConnectionFactory bus = new ActiveMQConnectionFactory(hub.setting("hub.broker.url"), "bus",
                Files.readString(hub.dataDir().resolve("keys/broker-client.password")).strip());
        try (bus; JMSContext jms = bus.createContext()) {
            jms.createProducer().setJMSCorrelationID("trace-its-1").send(jms.createQueue("onboarding.requests"), request("trace-its-1", "its"));
            try (JMSConsumer results = jms.createConsumer(jms.createQueue("onboarding.results"), "JMSCorrelationID = 'trace-its-1'")) {
                Message answer = results.receive(20_000);
                assertThat(answer).isNotNull();
                JsonNode first = MAPPER.readTree(answer.getBody(String.class));
                HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
                HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(first.at("/results/its/action/url")
                        .asText())).build(), HttpResponse.BodyHandlers.ofString());
                browser.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location").orElseThrow())).build(),
                        HttpResponse.BodyHandlers.ofString());

                Message update = results.receive(20_000);
                assertThat(update).as("the update").isNotNull();
                String[] traceparent = update.getStringProperty("traceparent").split("-");
                assertThat(traceparent).hasSize(4);
                ReceivedSpan delivery = await().atMost(Duration.ofSeconds(20)).until(() -> collector.spansOf(traceparent[1]).stream()
                        .filter(s -> s.spanId().equals(traceparent[2])).findFirst(), java.util.Optional::isPresent).orElseThrow();
                assertThat(delivery.name()).isEqualTo("bus delivery");
                assertThat(delivery.attributes()).containsEntry("hub.channel", "bus").containsEntry("hub.event.type", "onboarding.updated");
                // the trace of the callback's request: its server span is in it, and the delivery is not a root
                assertThat(collector.spansOf(traceparent[1])).extracting(ReceivedSpan::name).anyMatch(n -> n.contains("callback"));
                assertThat(delivery.parentSpanId()).isNotEmpty();
            }
        }
    }

    static String request(String requestId, String provider) {
        return """
                {"requestId": "%s", "merchant": {"externalId": "%s", "name": "Trace Shop", "phone": "0912345678"},
                 "providers": ["%s"]}""".formatted(requestId, requestId, provider);
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
