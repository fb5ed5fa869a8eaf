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
    static final String AHAMOVE = "/ahamove/v1/partner/register_account";

    @Test
    void providersAreCalledInParallel() throws Exception {
        everyProviderAnswersAsItsSimulator();
        provider.setGlobalFixedDelay(1000);
        try {
            JsonNode result = json(hub.post("/api/v1/onboardings", requestForEveryProvider()).body());

            assertThat(result.path("results").fieldNames()).toIterable().containsExactlyInAnyOrderElementsOf(CATALOG.names());
            assertThat(result.path("status").asText()).isIn("SUCCEEDED", "ACTION_REQUIRED");
            List<LoggedRequest> requests = received();
            assertThat(requests).hasSize(CATALOG.names().size());
            // every provider received its request before the first provider could have answered: the calls overlapped
            long firstAnswerPossible = requests.stream().map(r -> r.getLoggedDate().getTime()).min(Comparator.naturalOrder()).orElseThrow() + 1000;
            assertThat(requests).allSatisfy(r -> assertThat(r.getLoggedDate().getTime()).isLessThan(firstAnswerPossible));
        } finally {
            provider.setGlobalFixedDelay(0);
        }
    }

    @Test
    void oneProviderFailingDoesNotSinkTheOthers() throws Exception {
        for (String failing : CATALOG.names()) {
            provider.resetAll();
            hub.forgetEarlierSuccesses();
            everyProviderAnswersAsItsSimulator();
            provider.stubFor(any(urlPathMatching("/" + failing + "/.*")).atPriority(1).willReturn(aResponse().withStatus(403)));

            JsonNode result = json(hub.post("/api/v1/onboardings", requestForEveryProvider()).body());

            assertThat(result.path("status").asText()).as(failing).isEqualTo("PARTIAL");
            assertThat(result.at("/results/" + failing + "/status").asText()).isEqualTo("FAILED");
            CATALOG.names().stream().filter(name -> !name.equals(failing)).forEach(name ->
                    assertThat(result.at("/results/" + name + "/status").asText()).as(name).isIn("SUCCEEDED", "ACTION_REQUIRED"));
        }
    }

    @Test
    void allFailingIsFailed() throws Exception {
        provider.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(403)));

        JsonNode result = json(hub.post("/api/v1/onboardings", requestForEveryProvider()).body());

        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.path("results").size()).isEqualTo(CATALOG.names().size());
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
