package vn.onboardinghub.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What protects providers and the hub: a provider in an outage is cut off (CIRCUIT_OPEN, fast, others unaffected)
 * and taken back once it recovers; max-concurrency and rate-limit are never exceeded.
 */
class ProviderGuardsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    private static final String SOCDO = "/socdo/mini-app/v1/register";
    private final WireMockServer provider = new WireMockServer(options().dynamicPort().containerThreads(64));
    private TestHub hub;

    private void start(Map<String, String> settings) throws Exception {
        provider.start();
        Map<String, String> props = new HashMap<>(TestHub.providersAt(provider.baseUrl()));
        props.putAll(settings);
        hub = TestHub.start(props);
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        provider.stop();
    }

    private static String request(int n, String providers) {
        return """
                {"merchant": {"externalId": "M-%d", "name": "Shop %d", "phone": "0912 345 %03d"},
                 "providers": [%s], "socdo": {"zaloUserId": "%d"}}""".formatted(n, n, n, providers, n);
    }

    private JsonNode onboard(int n, String providers) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", request(n, providers));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body());
    }

    @Test
    void aProviderInAnOutageIsCutOffThenTakenBackOnceItRecovers() throws Exception {
        start(Map.of("hub.circuit-breaker.minimum-calls", "4", "hub.circuit-breaker.window", "4",
                "hub.circuit-breaker.open-seconds", "2", "hub.circuit-breaker.half-open-calls", "1",
                "hub.retry.max-attempts", "1"));
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(aResponse().withStatus(503)));
        provider.stubFor(post(urlPathEqualTo(SOCDO)).willReturn(jsonResponse(
                "{\"success\": true, \"token\": \"s\", \"data\": {\"user_id\": 7, \"username\": \"zalo_7\"}}", 201)));

        for (int i = 1; i <= 4; i++) {
            assertThat(onboard(i, "\"ahamove\"").at("/results/ahamove/error/code").asText()).isEqualTo("PROVIDER_UNAVAILABLE");
        }
        int callsBeforeOpen = provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE))).size();

        // open: Ahamove is not called, the answer is CIRCUIT_OPEN (retryable); Socdo is unaffected
        JsonNode cutOff = onboard(5, "\"ahamove\", \"socdo\"");
        assertThat(cutOff.at("/results/ahamove/error/code").asText()).isEqualTo("CIRCUIT_OPEN");
        assertThat(cutOff.at("/results/ahamove/error/retryable").asBoolean()).isTrue();
        assertThat(cutOff.at("/results/ahamove/attempts").asInt()).isZero();
        assertThat(cutOff.at("/results/socdo/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE)))).hasSize(callsBeforeOpen);

        // the provider recovers; after open-seconds a trial call goes through and the circuit closes
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")));
        AtomicInteger n = new AtomicInteger(100);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                onboard(n.incrementAndGet(), "\"ahamove\"").at("/results/ahamove/status").asText().equals("SUCCEEDED"));
        for (int i = 0; i < 3; i++) {
            assertThat(onboard(n.incrementAndGet(), "\"ahamove\"").at("/results/ahamove/status").asText()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void answersOfTheProviderItselfDoNotOpenTheCircuit() throws Exception {
        start(Map.of("hub.circuit-breaker.minimum-calls", "2", "hub.circuit-breaker.window", "2"));
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(aResponse().withStatus(409)
                .withBody("{\"title\": \"EMAIL_EXISTS\", \"description\": \"Email already exists\"}")));

        for (int i = 1; i <= 5; i++) {
            assertThat(onboard(i, "\"ahamove\"").at("/results/ahamove/error/code").asText()).isEqualTo("ALREADY_EXISTS");
        }
        assertThat(provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE)))).hasSize(5);
    }

    @Test
    void maxConcurrencyIsNeverExceeded() throws Exception {
        start(Map.of("hub.providers.ahamove.max-concurrency", "2"));
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")
                .withFixedDelay(300)));

        List<JsonNode> results = onboardConcurrently(8, "\"ahamove\"");

        assertThat(results).allSatisfy(r -> assertThat(r.at("/results/ahamove/status").asText()).isEqualTo("SUCCEEDED"));
        assertThat(maxOverlapping(provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE))), 300)).isEqualTo(2);
    }

    @Test
    void rateLimitAllowsNoMoreCallsInAnyOneSecondWindow() throws Exception {
        start(Map.of("hub.providers.ahamove.rate-limit", "5"));
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")));

        List<JsonNode> results = onboardConcurrently(12, "\"ahamove\"");

        assertThat(results).allSatisfy(r -> assertThat(r.at("/results/ahamove/status").asText()).isEqualTo("SUCCEEDED"));
        List<Long> starts = provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE))).stream()
                .map(r -> r.getLoggedDate().getTime()).sorted().toList();
        assertThat(starts).hasSize(12);
        for (int i = 0; i + 5 < starts.size(); i++) {
            // the 6th call after any call arrives a second or more later: a permit comes back a second after its call ended
            assertThat(starts.get(i + 5) - starts.get(i)).as("calls %d..%d", i, i + 5).isGreaterThanOrEqualTo(1000);
        }
    }

    private List<JsonNode> onboardConcurrently(int count, String providers) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(count);
        try {
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                int n = i;
                futures.add(clients.submit(() -> onboard(n, providers)));
            }
            List<JsonNode> results = new ArrayList<>();
            for (Future<JsonNode> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            clients.shutdownNow();
        }
    }

    /** The most requests that were being answered at the same moment, each taking {@code durationMs}. */
    private static int maxOverlapping(List<LoggedRequest> requests, long durationMs) {
        List<Long> starts = requests.stream().map(r -> r.getLoggedDate().getTime()).sorted().toList();
        int max = 0;
        for (long start : starts) {
            // requests that started within durationMs before this one are still running (the answer is delayed that long)
            int running = (int) starts.stream().filter(s -> s <= start && s > start - durationMs + 20).count();
            max = Math.max(max, running);
        }
        return max;
    }
}
