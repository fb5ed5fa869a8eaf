package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.Docs;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.ops.OtlpReceiver.ReceivedSpan;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces as an operator's collector receives them over OTLP: a caller's W3C {@code traceparent} (REST header, bus
 * message property) is continued through the hub's routes and into each provider call's span; the providers never
 * see a trace header; no exported attribute holds a secret, the merchant's data or a query string; the reply carries
 * no trace header, the bus result our own. Without {@code hub.tracing.otlp-endpoint} nothing is traced.
 */
class TracingTest {
    static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    static final String GHTK = "/ghtk/services/shops/token";
    static final String SOCDO = "/socdo/mini-app/v1/register";
    static final String API_KEY = "aha-Secret-key-1";
    /** What the merchant sends and the providers issue: none of it may be in a span. */
    static final List<String> PRIVATE = List.of(API_KEY, "ghtk-Secret-token-1", "merchant-Secret-password-1",
            "issued-Secret-token-1", "issued-Secret-ghtk-1", "912345678", "0912", "Trace Shop", "Trace+Shop",
            "Trace%20Shop", "trace@example.vn", "trace%40example.vn", "12 Lý Thường Kiệt", TestHub.API_KEY);
    static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate", "baggage");
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final SecureRandom RANDOM = new SecureRandom();

    static OtlpReceiver collector;
    static WireMockServer provider;
    static TestHub hub;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        collector = new OtlpReceiver();
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        Map<String, String> props = new HashMap<>(TestHub.providersAt(provider.baseUrl()));
        props.put("hub.providers.ahamove.api-key", API_KEY);
        props.put("hub.providers.ghtk.token", "ghtk-Secret-token-1");
        props.put("hub.tracing.otlp-endpoint", collector.tracesUrl());
        // the sweep ticks during the tests: its polls are not traced
        props.put("hub.onboarding.sweep-seconds", "1");
        hub = TestHub.start(props);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        provider.stop();
        collector.close();
    }

    @BeforeEach
    void providersAnswer() {
        provider.resetAll();
        hub.forgetEarlierSuccesses();
        // Ahamove: a 503 first (a failed call, retried: its span records the failure), then the token
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson("{\"token\": \"issued-Secret-token-1\", \"refresh_token\": \"issued-Secret-refresh-1\"}")));
        provider.stubFor(post(urlPathEqualTo(GHTK)).willReturn(okJson(
                "{\"success\": true, \"message\": \"Thành công\", \"data\": {\"code\": \"S1\", \"token\": \"issued-Secret-ghtk-1\"}}")));
        provider.stubFor(post(urlPathEqualTo(SOCDO)).willReturn(aResponse().withStatus(500)));
    }

    @Test
    void aRestCallContinuesTheCallersTraceIntoEveryProviderCall() throws Exception {
        String traceId = hex(16);
        String callerSpan = hex(8);

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/onboardings")))
                .header("Content-Type", "application/json").header("X-API-Key", TestHub.API_KEY)
                .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                .header("tracestate", "caller=opaque").header("baggage", "tenant=merchant-Secret-password-1")
                .POST(HttpRequest.BodyPublishers.ofString(request("TRACE-REST"))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(MAPPER.readTree(response.body()).path("status").asText()).as(response.body()).isEqualTo("PARTIAL");
        assertThat(response.headers().map().keySet()).as("no trace header comes back in the reply")
                .noneMatch(h -> TRACE_HEADERS.contains(h.toLowerCase(Locale.ROOT)));
        List<ReceivedSpan> spans = awaitProviderCallSpans(traceId);
        ReceivedSpan server = spans.stream().filter(s -> s.parentSpanId().equals(callerSpan)).findFirst().orElseThrow();
        assertThat(server.attributes()).containsEntry("component", "camel-rest").containsEntry("http.method", "POST");
        assertThat(spans).as("every span descends from the caller's").allSatisfy(s -> assertThat(descendsFrom(s, callerSpan, spans))
                .as(s.toString()).isTrue());
        assertThat(spans).extracting(ReceivedSpan::name).as("the hub's routes").contains("/api/v1/onboardings", "onboard",
                "provider-ahamove", "ahamove-call");
        assertProvidersSawNoTraceHeader();
        assertNothingPrivateIn(collector.spans());
    }

    @Test
    void anAsyncOnboardingGoesOnInTheCallersTraceAfterTheReply() throws Exception {
        String traceId = hex(16);
        String callerSpan = hex(8);

        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/onboardings?async=true")))
                .header("Content-Type", "application/json").header("X-API-Key", TestHub.API_KEY)
                .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(request("TRACE-ASYNC"))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.headers().map().keySet()).noneMatch(h -> TRACE_HEADERS.contains(h.toLowerCase(Locale.ROOT)));
        String id = MAPPER.readTree(accepted.body()).path("onboardingId").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> MAPPER.readTree(hub.get("/api/v1/onboardings/" + id).body())
                .path("status").asText().equals("PARTIAL"));
        List<ReceivedSpan> spans = awaitProviderCallSpans(traceId);
        assertThat(spans).allSatisfy(s -> assertThat(descendsFrom(s, callerSpan, spans)).as(s.toString()).isTrue());
        assertProvidersSawNoTraceHeader();
        assertNothingPrivateIn(collector.spans());
    }

    @Test
    void aBusMessageContinuesTheCallersTraceAndItsResultCarriesOurs() throws Exception {
        String traceId = hex(16);
        String callerSpan = hex(8);
        String brokerUrl = hub.setting("hub.broker.url");
        String password = Files.readString(hub.dataDir().resolve("keys").resolve("broker-client.password"),
                StandardCharsets.UTF_8).strip();
        Message result;
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl, "bus", password);
             JMSContext jms = factory.createContext()) {
            Queue replies = jms.createTemporaryQueue();
            TextMessage message = jms.createTextMessage(request("TRACE-BUS"));
            // JMS property names are Java identifiers: traceparent and tracestate are, as they are
            message.setStringProperty("traceparent", "00-" + traceId + "-" + callerSpan + "-01");
            message.setStringProperty("tracestate", "caller=opaque");
            jms.createProducer().setJMSReplyTo(replies).setJMSCorrelationID("trace-bus")
                    .send(jms.createQueue("onboarding.requests"), message);
            try (JMSConsumer consumer = jms.createConsumer(replies)) {
                result = consumer.receive(60_000);
            }
            assertThat(result).isNotNull();
            assertThat(MAPPER.readTree(result.getBody(String.class)).path("status").asText()).isEqualTo("PARTIAL");
        }

        List<ReceivedSpan> spans = awaitProviderCallSpans(traceId);
        ReceivedSpan consumer = spans.stream().filter(s -> s.parentSpanId().equals(callerSpan)).findFirst().orElseThrow();
        assertThat(consumer.attributes()).containsEntry("component", "camel-jms")
                .containsEntry("messaging.destination.name", "queue:onboarding.requests");
        assertThat(spans).allSatisfy(s -> assertThat(descendsFrom(s, callerSpan, spans)).as(s.toString()).isTrue());
        String resultTraceparent = result.getStringProperty("traceparent");
        assertThat(resultTraceparent).as("the result continues the caller's trace from the hub's own span")
                .matches("00-" + traceId + "-[0-9a-f]{16}-01").doesNotContain(callerSpan);
        String publishing = resultTraceparent.split("-")[2];
        await().atMost(Duration.ofSeconds(30)).until(() -> collector.spansOf(traceId).stream()
                .anyMatch(s -> s.spanId().equals(publishing)));
        assertProvidersSawNoTraceHeader();
        assertNothingPrivateIn(collector.spans());
    }

    @Test
    void aCallerThatDoesNotSampleItsTraceIsNotRecordedAndPollsAreNeverTraced() throws Exception {
        String unsampled = hex(16);
        String sampled = hex(16);

        for (String traceparent : List.of("00-" + unsampled + "-" + hex(8) + "-00", "00-" + sampled + "-" + hex(8) + "-01")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/onboardings")))
                    .header("Content-Type", "application/json").header("X-API-Key", TestHub.API_KEY)
                    .header("traceparent", traceparent)
                    .POST(HttpRequest.BodyPublishers.ofString(request("TRACE-SAMPLED-" + traceparent.endsWith("1"))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(MAPPER.readTree(response.body()).path("status").asText()).as(response.body()).isEqualTo("PARTIAL");
        }

        // the sampled trace, sent after, is exported: the first one would have been by then
        await().atMost(Duration.ofSeconds(40)).until(() -> collector.spansOf(sampled).stream()
                .anyMatch(s -> "camel-rest".equals(s.attributes().get("component"))));
        assertThat(collector.spansOf(unsampled)).isEmpty();
        assertThat(collector.spans()).as("the sweep (every second here) makes no span")
                .noneMatch(s -> "camel-timer".equals(s.attributes().get("component")));
    }

    @Test
    void withoutAnEndpointNothingIsTracedAndTheHubAnswersAsBefore() throws Exception {
        String traceId = hex(16);
        try (TestHub plain = TestHub.start(TestHub.providersAt(provider.baseUrl()))) {
            assertThat(plain.context().hasService(org.apache.camel.telemetry.Tracer.class)).as("no tracer").isNull();
            assertThat(plain.context().getRegistry().findByType(io.opentelemetry.api.trace.Tracer.class)).isEmpty();
            assertThat(plain.context().getRoutePolicyFactories()).noneMatch(f -> f instanceof org.apache.camel.telemetry.Tracer);

            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(plain.url("/api/v1/onboardings")))
                    .header("Content-Type", "application/json").header("X-API-Key", TestHub.API_KEY)
                    .header("traceparent", "00-" + traceId + "-" + hex(8) + "-01")
                    .POST(HttpRequest.BodyPublishers.ofString(request("TRACE-OFF"))).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(MAPPER.readTree(response.body()).path("status").asText()).as(response.body()).isEqualTo("PARTIAL");
            assertThat(response.headers().map().keySet()).noneMatch(h -> TRACE_HEADERS.contains(h.toLowerCase(Locale.ROOT)));
            assertProvidersSawNoTraceHeader();
        }
        assertThat(collector.spansOf(traceId)).as("nothing of the hub without an endpoint was sent").isEmpty();
    }

    @Test
    void anEndpointThatIsNotAUrlStopsTheStartWithOneLineNamingTheSetting() {
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> TestHub.start(Map.of(
                "hub.tracing.otlp-endpoint", "collector-Secret-token-1"))
                .close());

        Throwable cause = refused;
        while (cause != null && !(cause instanceof vn.onboardinghub.StartRefusedException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as(String.valueOf(refused)).isNotNull();
        assertThat(cause.getMessage()).contains("hub.tracing.otlp-endpoint (HUB_TRACING_OTLP_ENDPOINT)")
                .doesNotContain("collector-Secret-token-1");
    }

    @Test
    void docsListTheTracingSettingsAndWhatIsNeverInASpan() {
        String operations = Docs.read("docs/operations.md").section("## Traces");
        assertThat(operations).contains("| `hub.tracing.otlp-endpoint` |", "| `hub.tracing.service-name` |");
        for (String allowed : SpanAttributeAllowlist.ALLOWED) {
            assertThat(operations).as("docs/operations.md names every attribute a span may carry").contains("`" + allowed + "`");
        }
    }

    /**
     * The trace's spans once each request the providers received (Ahamove twice, Socdo until its retries ran out) has its
     * span, a client span under the hub's provider route.
     */
    private static List<ReceivedSpan> awaitProviderCallSpans(String traceId) {
        List<LoggedRequest> received = provider.findAll(anyRequestedFor(anyUrl()));
        assertThat(received).hasSizeGreaterThanOrEqualTo(4);
        await().atMost(Duration.ofSeconds(40)).until(() -> callSpans(traceId).size() >= received.size());
        List<ReceivedSpan> callSpans = callSpans(traceId);
        assertThat(callSpans).extracting(s -> s.attributes().get("http.method"))
                .containsExactlyInAnyOrderElementsOf(received.stream().map(r -> r.getMethod().getName()).toList());
        assertThat(callSpans).extracting(s -> s.attributes().get("http.status_code")).contains("200");
        assertThat(callSpans).as("the failed calls' spans record the failure").filteredOn(s -> "true".equals(s.attributes().get("error")))
                .hasSize((int) received.stream().filter(r -> !r.getUrl().startsWith(GHTK)).count() - 1);
        return collector.spansOf(traceId);
    }

    private static List<ReceivedSpan> callSpans(String traceId) {
        return collector.spansOf(traceId).stream().filter(s -> "camel-http".equals(s.attributes().get("component"))).toList();
    }

    private static boolean descendsFrom(ReceivedSpan span, String ancestor, List<ReceivedSpan> spans) {
        for (ReceivedSpan s = span; s != null; ) {
            if (s.parentSpanId().equals(ancestor)) {
                return true;
            }
            String parent = s.parentSpanId();
            s = spans.stream().filter(p -> p.spanId().equals(parent)).findFirst().orElse(null);
        }
        return false;
    }

    /** Every request a provider received carries none of traceparent, tracestate, baggage. */
    private static void assertProvidersSawNoTraceHeader() {
        List<LoggedRequest> requests = provider.findAll(anyRequestedFor(anyUrl()));
        assertThat(requests).hasSizeGreaterThanOrEqualTo(4);
        for (LoggedRequest request : requests) {
            assertThat(request.getHeaders().keys()).as(request.getUrl())
                    .noneMatch(h -> TRACE_HEADERS.contains(h.toLowerCase(Locale.ROOT)));
        }
    }

    /** Every attribute (and event attribute) of every span: allowlisted keys, no secret, no merchant data, no query. */
    private static void assertNothingPrivateIn(List<ReceivedSpan> spans) {
        assertThat(spans).isNotEmpty();
        for (ReceivedSpan span : spans) {
            assertThat(span.attributes().keySet()).as(span.toString()).isSubsetOf(SpanAttributeAllowlist.ALLOWED);
            for (Map<String, String> event : span.events()) {
                assertThat(event.keySet()).as(span.toString()).allMatch(k -> k.equals("(event name)")
                        || SpanAttributeAllowlist.ALLOWED.contains(k));
            }
            List<String> texts = new java.util.ArrayList<>(span.attributes().values());
            texts.add(span.name());
            span.events().forEach(e -> texts.addAll(e.values()));
            for (String text : texts) {
                for (String secret : PRIVATE) {
                    assertThat(text).as(span.toString()).doesNotContain(secret);
                }
                assertThat(text).as("no URL, query string or provider path: %s", span).doesNotContain("?", "=", "&", "api_key",
                        "mobile", "http:", "127.0.0.1", "localhost", "register_account", "shops/token", "mini-app");
            }
            assertThat(span.resource()).containsEntry("service.name", "onboarding-hub");
        }
    }

    private static String request(String externalId) {
        return """
                {"merchant": {"externalId": "%s", "name": "Trace Shop", "phone": "0912345678", "email": "trace@example.vn",
                              "address": "12 Lý Thường Kiệt"},
                 "providers": ["ahamove", "ghtk", "socdo"], "ghtk": {"password": "merchant-Secret-password-1"},
                 "socdo": {"zaloUserId": "123456789"}}""".formatted(externalId);
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
