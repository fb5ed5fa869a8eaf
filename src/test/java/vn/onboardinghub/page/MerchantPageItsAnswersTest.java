package vn.onboardinghub.page;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.ops.CapturedLogs;
import vn.onboardinghub.providers.its.ItsSandbox;

import java.net.http.HttpResponse;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static vn.onboardinghub.page.MerchantPageTest.assertSecurityHeaders;
import static vn.onboardinghub.page.MerchantPageTest.open;
import static vn.onboardinghub.page.MerchantPageTest.row;

/**
 * The ITS button of the merchant page when ITS answers otherwise than with a new authorization link: the shop is
 * already authorized (the success is stored and the page shows ITS done), or the call fails (the page says ITS could
 * not be started, the result stays as it was).
 */
class MerchantPageItsAnswersTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String AUTHORIZE = "/its/v1/partner.Shop/AuthorizeShop";
    static WireMockServer its;
    static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        its = new WireMockServer(options().dynamicPort().templatingEnabled(true).globalTemplating(false));
        its.start();
        new ItsSandbox().register(its, "/its");
        hub = TestHub.start(TestHub.providersAt(its.baseUrl()));
    }

    @AfterAll
    static void stop() {
        hub.close();
        its.stop();
    }

    @Test
    void anAlreadyAuthorizedShopIsStoredAndThePageShowsItsDone() throws Exception {
        JsonNode result = onboard("answers-shop-key");
        StubMapping shopKey = its.stubFor(post(urlPathEqualTo(AUTHORIZE)).atPriority(1)
                .willReturn(okJson("{\"type\": \"shop_key\", \"auth_token\": \"shop4242:k3y\", \"expires_in\": -1, \"code\": \"ok\"}")));
        try {
            HttpResponse<String> pressed = open(pageUrl(result) + "/its", Map.of());
            assertThat(pressed.statusCode()).isEqualTo(303);
            assertThat(pressed.headers().firstValue("Location")).hasValue(pageUrl(result));
        } finally {
            its.removeStub(shopKey);
        }
        HttpResponse<String> page = open(pageUrl(result), Map.of());
        assertThat(page.body()).contains("data-state=\"all-set\"", "Bạn đã hoàn tất");
        assertThat(row(page.body(), "its")).contains("data-state=\"done\"");
        JsonNode after = MAPPER.readTree(hub.get("/api/v1/onboardings/" + result.path("onboardingId").asText()).body());
        assertThat(after.at("/results/its/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(after.at("/results/its/credentials/shopId").asText()).isEqualTo("4242");
        assertThat(after.has("merchantLink")).isFalse();
    }

    @Test
    void aFailedCallLeavesTheResultAndThePageSaysItCouldNotStart() throws Exception {
        JsonNode result = onboard("answers-failure");
        StubMapping refused = its.stubFor(post(urlPathEqualTo(AUTHORIZE)).atPriority(1)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"code\": \"invalid_argument\", \"msg\": \"internal detail 7731\", \"meta\": {}}")));
        HttpResponse<String> pressed;
        String token = pageUrl(result).substring(pageUrl(result).indexOf("/m/") + 3);
        try (CapturedLogs logs = CapturedLogs.capture()) {
            pressed = open(pageUrl(result) + "/its?lang=en", Map.of());
            // the provider's failure is logged, never with the token
            assertThat(logs.events().stream().map(CapturedLogs::text))
                    .anyMatch(line -> line.contains("could not start its"))
                    .noneMatch(line -> line.contains(token.substring(0, 22)) || line.contains(token.substring(23)));
        } finally {
            its.removeStub(refused);
        }
        assertThat(pressed.statusCode()).isEqualTo(200);
        assertSecurityHeaders(pressed);
        assertThat(pressed.body()).contains("id=\"not-started\"", "ITS could not be started right now")
                .doesNotContain("invalid_argument", "internal detail 7731", "INVALID_REQUEST", "400");
        assertThat(row(pressed.body(), "its")).contains("data-state=\"todo\"", "data-action=\"start\"");
        JsonNode after = MAPPER.readTree(hub.get("/api/v1/onboardings/" + result.path("onboardingId").asText()).body());
        assertThat(after.at("/results/its")).isEqualTo(result.at("/results/its"));
        assertThat(after.path("merchantLink")).isEqualTo(result.path("merchantLink"));
    }

    static JsonNode onboard(String requestId) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", "{\"requestId\": \"" + requestId + "\", \"merchant\":"
                + " {\"externalId\": \"" + requestId + "\", \"name\": \"Shop\", \"phone\": \"0912345678\"}, \"providers\": [\"its\"]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = MAPPER.readTree(response.body());
        assertThat(result.at("/results/its/status").asText()).isEqualTo("ACTION_REQUIRED");
        return result;
    }

    static String pageUrl(JsonNode result) {
        return result.at("/merchantLink/url").asText();
    }
}
