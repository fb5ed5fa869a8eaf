package vn.onboardinghub.page;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ITS states a merchant's browser carries back (the result's {@code action.url}, each press of the page's ITS
 * button) cannot point an onboarding at another shop: none is accepted once ITS is done, and one started from a merchant
 * page is dead once that link is revoked or replaced.
 */
@WithHub({"hub.sandbox.enabled=true", "hub.api.keys="})
class ItsStateTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static TestHub hub;

    @Test
    void onceItsIsDoneNoOtherStateOfTheOnboardingCompletesItAgain() throws Exception {
        JsonNode result = onboard("state-1");
        String link = result.at("/merchantLink/url").asText();
        // ITS login pages (the sandbox's) for the result's own state and for a state pressed out on the page
        URI raw = URI.create(result.at("/results/its/action/url").asText());
        URI pressed = location(get(URI.create(link + "/its")));

        // the merchant finishes ITS through the page
        HttpResponse<String> finished = get(location(get(pressed)));
        assertThat(finished.statusCode()).as(finished.body()).isEqualTo(302);
        JsonNode done = stored(result);
        assertThat(done.at("/results/its/status").asText()).isEqualTo("SUCCEEDED");

        // someone holding the first action.url logs in at ITS with another shop later: refused, nothing changes
        URI another = URI.create(location(get(raw)).toString().replaceAll("shop_id=\\d+", "shop_id=666"));
        HttpResponse<String> repointed = get(another);
        assertThat(repointed.statusCode()).as(repointed.body()).isEqualTo(400);
        assertThat(MAPPER.readTree(repointed.body()).at("/error/violations/0/field").asText()).isEqualTo("state");
        assertThat(stored(result).at("/results/its")).isEqualTo(done.at("/results/its"));
    }

    @Test
    void aStateStartedFromAReplacedLinkStartsNothingAndRevealsNoLink() throws Exception {
        JsonNode result = onboard("state-2");
        String first = result.at("/merchantLink/url").asText();
        URI pressed = location(get(URI.create(first + "/its")));

        HttpResponse<String> renewed = hub.post("/api/v1/onboardings/" + result.path("onboardingId").asText()
                + "/merchant-link", "", "sandbox");
        assertThat(renewed.statusCode()).isEqualTo(201);
        String second = MAPPER.readTree(renewed.body()).path("url").asText();

        HttpResponse<String> callback = get(location(get(pressed)));
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(400);
        assertThat(callback.headers().firstValue("Location")).isEmpty();
        assertThat(callback.body()).doesNotContain(second.substring(second.indexOf("/m/") + 3));
        assertThat(stored(result).at("/results/its/status").asText()).isEqualTo("ACTION_REQUIRED");

        // pressed on the current link's page, the button works
        HttpResponse<String> current = get(location(get(location(get(URI.create(second + "/its"))))));
        assertThat(current.statusCode()).isEqualTo(302);
        assertThat(current.headers().firstValue("Location")).hasValue(second);
        assertThat(stored(result).at("/results/its/status").asText()).isEqualTo("SUCCEEDED");
    }

    private static JsonNode onboard(String requestId) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", """
                {"requestId": "%s", "merchant": {"externalId": "%s", "name": "Shop", "phone": "0912345678"},
                 "providers": ["its", "socdo"], "socdo": {"zaloUserId": "123456409"}}""".formatted(requestId, requestId), "sandbox");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body());
    }

    private static JsonNode stored(JsonNode result) throws Exception {
        return MAPPER.readTree(hub.get("/api/v1/onboardings/" + result.path("onboardingId").asText(), "sandbox").body());
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return BROWSER.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI location(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isBetween(300, 399);
        return URI.create(response.headers().firstValue("Location").orElseThrow());
    }
}
