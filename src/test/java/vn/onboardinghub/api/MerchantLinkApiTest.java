package vn.onboardinghub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.Docs;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;
import vn.onboardinghub.core.MerchantLinks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Merchant links through the REST API: a result waiting for the merchant carries one, a caller can replace or revoke
 * it, and a result with nothing left for the merchant has none (docs/contract.md "Merchant links").
 */
@WithHub({"hub.sandbox.enabled=true", "hub.api.keys=", "hub.api.clients.erp.keys=" + MerchantLinkApiTest.ERP,
        "hub.api.clients.shop.keys=" + MerchantLinkApiTest.SHOP, "hub.api.clients.ops.keys=" + MerchantLinkApiTest.OPS,
        "hub.api.clients.ops.read-all=true"})
class MerchantLinkApiTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String ERP = "erp-key-0123456789abcdef";
    static final String SHOP = "shop-key-0123456789abcdef";
    static final String OPS = "ops-key-0123456789abcdef";
    static TestHub hub;

    @Test
    void aResultWaitingForTheMerchantCarriesALinkAsTheContractShowsIt() throws Exception {
        JsonNode documented = MAPPER.readTree("{" + Docs.read("docs/contract.md").codeBlock("## Merchant links", "json", 0) + "}");
        Instant before = Instant.now();

        JsonNode result = onboard("link-1", "\"providers\": [\"ahamove\", \"its\"]");

        assertThat(result.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        JsonNode link = result.path("merchantLink");
        assertThat(names(link)).isEqualTo(names(documented.path("merchantLink")));
        assertThat(token(documented.path("merchantLink"))).matches("[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}");
        assertThat(link.path("url").asText()).startsWith(hub.url("/m/"));
        assertThat(token(link)).matches("[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}").hasSize(45);
        Instant expires = Instant.parse(link.path("expiresAt").asText());
        assertThat(expires).isBetween(before.plus(Duration.ofHours(168)).minusSeconds(1), Instant.now().plus(Duration.ofHours(168)));
        assertThat(links().onboardingOf(token(link))).contains(result.path("onboardingId").asText());
        JsonNode read = MAPPER.readTree(hub.get("/api/v1/onboardings/" + result.path("onboardingId").asText(), ERP).body());
        assertThat(read.path("merchantLink")).isEqualTo(link);
    }

    @Test
    void aNewLinkReplacesTheOldOneAndRevokingEndsThem() throws Exception {
        JsonNode result = onboard("link-2", "\"providers\": [\"its\"]");
        String id = result.path("onboardingId").asText();
        String first = token(result.path("merchantLink"));

        assertThat(send("POST", id, SHOP).statusCode()).as("another client's onboarding").isEqualTo(404);
        assertThat(hub.get("/api/v1/onboardings/" + id, OPS).statusCode()).as("a read-all client reads it").isEqualTo(200);
        assertThat(send("POST", id, OPS).statusCode()).as("but does not change its links").isEqualTo(404);
        assertThat(send("DELETE", id, OPS).statusCode()).isEqualTo(404);
        assertThat(links().onboardingOf(first)).contains(id);
        HttpResponse<String> renewed = send("POST", id, ERP);
        assertThat(renewed.statusCode()).as(renewed.body()).isEqualTo(201);
        JsonNode link = MAPPER.readTree(renewed.body());
        assertThat(token(link)).isNotEqualTo(first);
        assertThat(links().onboardingOf(first)).isEmpty();
        assertThat(links().onboardingOf(token(link))).contains(id);
        assertThat(MAPPER.readTree(hub.get("/api/v1/onboardings/" + id, ERP).body()).path("merchantLink")).isEqualTo(link);

        assertThat(send("DELETE", id, SHOP).statusCode()).isEqualTo(404);
        HttpResponse<String> revoked = send("DELETE", id, ERP);
        assertThat(revoked.statusCode()).isEqualTo(204);
        assertThat(revoked.body()).isEmpty();
        assertThat(links().onboardingOf(token(link))).isEmpty();
        assertThat(MAPPER.readTree(hub.get("/api/v1/onboardings/" + id, ERP).body()).has("merchantLink")).isFalse();

        HttpResponse<String> again = send("POST", id, ERP);
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(links().onboardingOf(token(MAPPER.readTree(again.body())))).contains(id);
    }

    @Test
    void nothingLeftForTheMerchantMeansNoLink() throws Exception {
        JsonNode done = onboard("link-3", "\"providers\": [\"ahamove\"]");
        assertThat(done.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.has("merchantLink")).isFalse();

        HttpResponse<String> refused = send("POST", done.path("onboardingId").asText(), ERP);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(MAPPER.readTree(refused.body()).at("/error/code").asText()).isEqualTo("NOTHING_FOR_MERCHANT");
    }

    @Test
    void onceItsIsAuthorizedTheResultHasNoLinkAnyMore() throws Exception {
        JsonNode result = onboard("link-4", "\"providers\": [\"its\"]");
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(result.at("/results/its/action/url").asText())).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> callback = browser.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location").orElseThrow()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);

        JsonNode after = MAPPER.readTree(hub.get("/api/v1/onboardings/" + result.path("onboardingId").asText(), ERP).body());
        assertThat(after.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(after.has("merchantLink")).isFalse();
    }

    private static JsonNode onboard(String requestId, String providers) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", "{\"requestId\": \"" + requestId + "\", \"merchant\":"
                + " {\"externalId\": \"" + requestId + "\", \"name\": \"Nguyễn Văn A\", \"phone\": \"0912345678\"}, "
                + providers + "}", ERP);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body());
    }

    private static HttpResponse<String> send(String method, String onboardingId, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/onboardings/" + onboardingId
                        + "/merchant-link"))).header("X-API-Key", key).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static MerchantLinks links() {
        return hub.context().getRegistry().lookupByNameAndType("merchantLinks", MerchantLinks.class);
    }

    private static String token(JsonNode link) {
        String url = link.path("url").asText();
        return url.substring(url.indexOf("/m/") + 3);
    }

    private static java.util.TreeSet<String> names(JsonNode node) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
