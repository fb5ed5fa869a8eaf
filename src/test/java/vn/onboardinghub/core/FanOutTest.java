package vn.onboardinghub.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.providers.ProviderContractTest;

import java.util.Comparator;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The fan-out: parallel calls, one provider failing never sinks the others, retries, timeouts, garbled answers. */
class FanOutTest extends ProviderContractTest {
    static final String ALL_FOUR = "{" + MERCHANT + """
            , "ghtk": {"password": "p@ss"}, "socdo": {"zaloUserId": "123456789"}}""";
    static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    static final String GHTK = "/ghtk/services/shops/token";
    static final String SOCDO = "/socdo/mini-app/v1/register";
    static final String ITS = "/its/v1/partner.Shop/AuthorizeShop";

    private static void allProvidersSucceed(int delayMs) {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}").withFixedDelay(delayMs)));
        provider.stubFor(post(urlPathEqualTo(GHTK)).willReturn(okJson(
                "{\"success\": true, \"message\": \"Thành công\", \"data\": {\"code\": \"S1\", \"token\": \"g\"}}").withFixedDelay(delayMs)));
        provider.stubFor(post(urlPathEqualTo(SOCDO)).willReturn(jsonResponse(
                "{\"success\": true, \"token\": \"s\", \"data\": {\"user_id\": 7, \"username\": \"zalo_123456789\"}}", 201).withFixedDelay(delayMs)));
        provider.stubFor(post(urlPathEqualTo(ITS)).willReturn(okJson(
                "{\"type\": \"shop_request\", \"auth_token\": \"a\", \"expires_in\": 900, \"auth_url\": \"https://its.example/auth\"}").withFixedDelay(delayMs)));
    }

    @Test
    void providersAreCalledInParallel() throws Exception {
        allProvidersSucceed(1000);

        JsonNode result = json(hub.post("/api/v1/onboardings", ALL_FOUR).body());

        assertThat(result.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        List<LoggedRequest> requests = received();
        assertThat(requests).hasSize(4);
        // every provider received its request before the first provider could have answered: the calls overlapped
        long firstAnswerPossible = requests.stream().map(r -> r.getLoggedDate().getTime()).min(Comparator.naturalOrder()).orElseThrow() + 1000;
        assertThat(requests).allSatisfy(r -> assertThat(r.getLoggedDate().getTime()).isLessThan(firstAnswerPossible));
    }

    @Test
    void oneProviderFailingDoesNotSinkTheOthers() throws Exception {
        allProvidersSucceed(0);
        provider.stubFor(post(urlPathEqualTo(GHTK)).willReturn(okJson("{\"success\": false, \"message\": \"Dữ liệu đăng nhập không hợp lệ\"}")));

        JsonNode result = json(hub.post("/api/v1/onboardings", ALL_FOUR).body());

        assertThat(result.path("status").asText()).isEqualTo("PARTIAL");
        assertThat(result.at("/results/ahamove/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.at("/results/ghtk/error/code").asText()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(result.at("/results/socdo/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.at("/results/its/status").asText()).isEqualTo("ACTION_REQUIRED");
    }

    @Test
    void allFailingIsFailed() throws Exception {
        provider.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(403)));

        JsonNode result = json(hub.post("/api/v1/onboardings", ALL_FOUR).body());

        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.path("results").size()).isEqualTo(4);
        result.path("results").forEach(r -> assertThat(r.path("status").asText()).isEqualTo("FAILED"));
    }

    @Test
    void retryableErrorIsRetriedThenSucceeds() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")));

        JsonNode ahamove = onboard("{" + MERCHANT + ", \"providers\": [\"ahamove\"]}", "ahamove");

        assertThat(ahamove.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(ahamove.path("attempts").asInt()).isEqualTo(2);
        assertThat(received()).hasSize(2);
    }

    @Test
    void retriesExhaustedKeepTheLastError() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(aResponse().withStatus(503).withBody("maintenance")));

        JsonNode ahamove = onboard("{" + MERCHANT + ", \"providers\": [\"ahamove\"]}", "ahamove");

        assertThat(ahamove.path("status").asText()).isEqualTo("FAILED");
        assertThat(ahamove.path("attempts").asInt()).isEqualTo(3);
        assertThat(ahamove.at("/error/code").asText()).isEqualTo("PROVIDER_UNAVAILABLE");
        assertThat(ahamove.at("/error/retryable").asBoolean()).isTrue();
        assertThat(ahamove.at("/error/providerStatus").asInt()).isEqualTo(503);
        assertThat(ahamove.at("/error/providerMessage").asText()).isEqualTo("maintenance");
        assertThat(received()).hasSize(3);
    }

    @Test
    void nonRetryableErrorIsNotRetried() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(aResponse().withStatus(403)));

        JsonNode ahamove = onboard("{" + MERCHANT + ", \"providers\": [\"ahamove\"]}", "ahamove");

        assertThat(ahamove.at("/error/code").asText()).isEqualTo("ACCOUNT_LOCKED");
        assertThat(ahamove.path("attempts").asInt()).isEqualTo(1);
        assertThat(received()).hasSize(1);
    }

    @Test
    void rateLimitedWaitsForRetryAfter() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).inScenario("limited").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("open"));
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).inScenario("limited").whenScenarioStateIs("open")
                .willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")));

        JsonNode ahamove = onboard("{" + MERCHANT + ", \"providers\": [\"ahamove\"]}", "ahamove");

        assertThat(ahamove.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(ahamove.path("attempts").asInt()).isEqualTo(2);
        List<LoggedRequest> calls = received().stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
        // the retry came no earlier than the provider asked (the test's backoff is only 20 ms)
        assertThat(calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void rateLimitedWithARetryAfterBeyondTheLimitIsNotRetried() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")));

        JsonNode ahamove = onboard("{" + MERCHANT + ", \"providers\": [\"ahamove\"]}", "ahamove");

        assertThat(ahamove.at("/error/code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(ahamove.at("/error/retryable").asBoolean()).isTrue();
        assertThat(ahamove.path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void garbledBodyIsUnexpectedResponse() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(ok("<html>gateway</html>")));

        JsonNode ahamove = onboard("{" + MERCHANT + ", \"providers\": [\"ahamove\"]}", "ahamove");

        assertThat(ahamove.at("/status").asText()).isEqualTo("FAILED");
        assertThat(ahamove.at("/error/code").asText()).isEqualTo("UNEXPECTED_RESPONSE");
        assertThat(ahamove.at("/error/retryable").asBoolean()).isFalse();
        assertThat(ahamove.at("/error/providerStatus").asInt()).isEqualTo(200);
        assertThat(ahamove.at("/error/providerMessage").asText()).isEqualTo("<html>gateway</html>");
    }

    @Test
    void timeoutIsProviderUnavailableAfterRetries() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\"}").withFixedDelay(2500)));

        JsonNode ahamove = onboard("{" + MERCHANT + ", \"providers\": [\"ahamove\"]}", "ahamove");

        assertThat(ahamove.at("/error/code").asText()).isEqualTo("PROVIDER_UNAVAILABLE");
        assertThat(ahamove.path("attempts").asInt()).isEqualTo(3);
    }

    @Test
    void connectionResetIsProviderUnavailable() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        JsonNode ahamove = onboard("{" + MERCHANT + ", \"providers\": [\"ahamove\"]}", "ahamove");

        assertThat(ahamove.at("/error/code").asText()).isEqualTo("PROVIDER_UNAVAILABLE");
        assertThat(ahamove.at("/error/providerStatus").isNull()).isTrue();
        assertThat(ahamove.path("attempts").asInt()).isEqualTo(3);
    }
}
