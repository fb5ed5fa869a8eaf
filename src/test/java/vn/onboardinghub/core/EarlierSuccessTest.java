package vn.onboardinghub.core;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.providers.ProviderContractTest;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** A provider that already SUCCEEDED for a merchant (externalId) is not called again; its credentials are returned. */
class EarlierSuccessTest extends ProviderContractTest {
    private static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    private static final String GHTK = "/ghtk/services/shops/token";
    private static final String BOTH = "{" + MERCHANT + ", \"providers\": [\"ahamove\", \"ghtk\"], \"ghtk\": {\"password\": \"p@ss\"}}";

    @Test
    void aProviderThatSucceededForTheMerchantIsNotCalledAgainAndItsCredentialsAreReturned() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"aha-1\", \"refresh_token\": \"r-1\"}")));
        provider.stubFor(post(urlPathEqualTo(GHTK)).willReturn(aResponse().withStatus(503)));
        JsonNode first = json(hub.post("/api/v1/onboardings", BOTH).body());
        assertThat(first.path("status").asText()).isEqualTo("PARTIAL");

        provider.resetAll();
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"aha-2\", \"refresh_token\": \"r-2\"}")));
        provider.stubFor(post(urlPathEqualTo(GHTK)).willReturn(okJson(
                "{\"success\": true, \"message\": \"Thành công\", \"data\": {\"code\": \"S1\", \"token\": \"g-1\"}}")));
        JsonNode second = json(hub.post("/api/v1/onboardings", BOTH).body());

        // a new onboarding; Ahamove's earlier credentials come back without a call, GHTK (which failed) is called again
        assertThat(second.path("onboardingId").asText()).isNotEqualTo(first.path("onboardingId").asText());
        assertThat(second.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(second.at("/results/ahamove/credentials/token").asText()).isEqualTo("aha-1");
        assertThat(second.at("/results/ahamove/attempts").asInt()).isZero();
        assertThat(second.at("/results/ghtk/credentials/token").asText()).isEqualTo("g-1");
        assertThat(provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE)))).isEmpty();
        assertThat(provider.findAll(postRequestedFor(urlPathEqualTo(GHTK)))).hasSize(1);

        // with every provider already succeeded, nothing is called at all
        provider.resetAll();
        JsonNode third = json(hub.post("/api/v1/onboardings", BOTH).body());
        assertThat(third.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(third.at("/results/ghtk/credentials/token").asText()).isEqualTo("g-1");
        assertThat(received()).isEmpty();
    }

    @Test
    void anotherMerchantIsCalledAsUsual() throws Exception {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"aha-1\", \"refresh_token\": \"r-1\"}")));
        onboard("{" + MERCHANT + ", \"providers\": [\"ahamove\"]}", "ahamove");

        JsonNode other = onboard("{" + MERCHANT.replace("M-001", "M-002") + ", \"providers\": [\"ahamove\"]}", "ahamove");

        assertThat(other.path("attempts").asInt()).isEqualTo(1);
        assertThat(provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE)))).hasSize(2);
    }
}
