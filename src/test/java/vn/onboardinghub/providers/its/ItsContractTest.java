package vn.onboardinghub.providers.its;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.providers.ProviderContractTest;

import java.net.http.HttpResponse;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ITS {@code <BASE_URL>.Shop/AuthorizeShop} and {@code .Shop/CurrentShop} (Twirp-style), one test per documented
 * response, plus the browser callback that finishes a {@code shop_request}.
 */
class ItsContractTest extends ProviderContractTest {
    static final String AUTHORIZE_SHOP = "/its/v1/partner.Shop/AuthorizeShop";
    static final String CURRENT_SHOP = "/its/v1/partner.Shop/CurrentShop";
    static final String MERCHANT_PAGE = "https://merchant.example/after-its";
    static final String FIRST_CONNECTION = "{" + MERCHANT + ", \"providers\": [\"its\"], \"its\": {\"redirectUrl\": \"" + MERCHANT_PAGE + "\"}}";
    static final String KNOWN_SHOP = "{" + MERCHANT + ", \"providers\": [\"its\"],"
            + " \"its\": {\"shopId\": \"1234567890123\", \"redirectUrl\": \"" + MERCHANT_PAGE + "\"}}";
    /** First connection: email, phone (national form), name, and our callback as redirect_url. */
    static final String FIRST_CONNECTION_BODY = """
            {"email": "a@example.vn", "phone": "0912345678", "name": "Nguyễn Văn A"}""";
    static final String AUTH_URL = "https://partner.its.vn/authorize?token=9aKfU2xLq7VbN3mT";
    static final String SHOP_REQUEST = """
            {"code": "ok", "msg": "", "type": "shop_request", "auth_token": "9aKfU2xLq7VbN3mT",
             "auth_url": "%s", "expires_in": 900, "meta": {}}""".formatted(AUTH_URL);

    @Test
    void itsFirstConnectionShopRequestIsActionRequiredAuthorize() throws Exception {
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).willReturn(twirp(200, SHOP_REQUEST)));

        JsonNode onboarding = postOnboarding(FIRST_CONNECTION);

        LoggedRequest sent = theOnlyRequest();
        assertAuthorizeShop(sent, FIRST_CONNECTION_BODY, onboarding.path("onboardingId").asText());
        assertThat(onboarding.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(onboarding.path("results").path("its")).isEqualTo(json("""
                {"status": "ACTION_REQUIRED", "attempts": 1,
                 "action": {"type": "AUTHORIZE", "url": "%s", "expiresInSeconds": 900}}""".formatted(AUTH_URL)));
    }

    @Test
    void itsKnownShopIdShopKeyIsVerifiedWithCurrentShopAndSucceeds() throws Exception {
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).willReturn(twirp(200, """
                {"code": "ok", "msg": "", "type": "shop_key", "auth_token": "shop1234567890123:Xk9pQ2rT5vW8yZ1b",
                 "expires_in": -1, "meta": {}}""")));
        provider.stubFor(post(urlPathEqualTo(CURRENT_SHOP)).willReturn(twirp(200, """
                {"id": "1234567890123", "name": "Nguyễn Văn A", "type": "PartnerShop"}""")));

        JsonNode onboarding = postOnboarding(KNOWN_SHOP);

        List<LoggedRequest> calls = requests(2);
        assertAuthorizeShop(calls.get(0), "{\"shop_id\": \"1234567890123\"}", onboarding.path("onboardingId").asText());
        assertCurrentShop(calls.get(1), "shop1234567890123:Xk9pQ2rT5vW8yZ1b");
        assertThat(onboarding.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(onboarding.path("results").path("its")).isEqualTo(json("""
                {"status": "SUCCEEDED", "attempts": 2,
                 "credentials": {"shopId": "1234567890123", "shopKey": "shop1234567890123:Xk9pQ2rT5vW8yZ1b"}}"""));
    }

    @Test
    void its400InvalidArgumentIsInvalidRequest() throws Exception {
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).willReturn(twirp(400, """
                {"code": "invalid_argument", "msg": "Giá trị email không hợp lệ", "meta": {"argument": "email"}}""")));

        JsonNode onboarding = postOnboarding(FIRST_CONNECTION);

        assertAuthorizeShop(theOnlyRequest(), FIRST_CONNECTION_BODY, onboarding.path("onboardingId").asText());
        assertThat(onboarding.path("results").path("its")).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "INVALID_REQUEST", "retryable": false,
                 "message": "ITS refused a value in the request",
                 "providerStatus": 400, "providerCode": "invalid_argument", "providerMessage": "Giá trị email không hợp lệ"}}"""));
    }

    @Test
    void its401UnauthenticatedIsPartnerAuthFailed() throws Exception {
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).willReturn(twirp(401, """
                {"code": "unauthenticated", "msg": "Vui lòng kiểm tra lại request đã bao gồm header Authorization: <api_key> đúng.", "meta": {}}""")));

        JsonNode onboarding = postOnboarding(FIRST_CONNECTION);

        assertAuthorizeShop(theOnlyRequest(), FIRST_CONNECTION_BODY, onboarding.path("onboardingId").asText());
        assertThat(onboarding.path("results").path("its")).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "PARTNER_AUTH_FAILED", "retryable": false,
                 "message": "ITS rejected the key (hub.providers.its.api-key, or the shop key)",
                 "providerStatus": 401, "providerCode": "unauthenticated",
                 "providerMessage": "Vui lòng kiểm tra lại request đã bao gồm header Authorization: <api_key> đúng."}}"""));
    }

    @Test
    void its403PermissionDeniedIsAccountNotLinked() throws Exception {
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).willReturn(twirp(403, """
                {"code": "permission_denied", "msg": "Shop chưa bao giờ đăng nhập vào ITS thông qua hệ thống của đối tác.", "meta": {}}""")));

        JsonNode onboarding = postOnboarding(KNOWN_SHOP);

        assertAuthorizeShop(theOnlyRequest(), "{\"shop_id\": \"1234567890123\"}", onboarding.path("onboardingId").asText());
        assertThat(onboarding.path("results").path("its")).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "ACCOUNT_NOT_LINKED", "retryable": false,
                 "message": "This ITS shop never logged in through this partner: onboard it without its.shopId",
                 "providerStatus": 403, "providerCode": "permission_denied",
                 "providerMessage": "Shop chưa bao giờ đăng nhập vào ITS thông qua hệ thống của đối tác."}}"""));
    }

    @Test
    void its404BadRouteIsNotFound() throws Exception {
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).willReturn(twirp(404, """
                {"code": "bad_route", "msg": "no handler for path \\"/v1/partner.Shop/AuthorizeShop\\"",
                 "meta": {"twirp_invalid_route": "POST /v1/partner.Shop/AuthorizeShop"}}""")));

        JsonNode onboarding = postOnboarding(FIRST_CONNECTION);

        assertAuthorizeShop(theOnlyRequest(), FIRST_CONNECTION_BODY, onboarding.path("onboardingId").asText());
        assertThat(onboarding.path("results").path("its")).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "NOT_FOUND", "retryable": false,
                 "message": "ITS does not know this route (check the base URL)",
                 "providerStatus": 404, "providerCode": "bad_route",
                 "providerMessage": "no handler for path \\"/v1/partner.Shop/AuthorizeShop\\""}}"""));
    }

    @Test
    void its500InternalIsProviderErrorRetriedUntilMaxAttempts() throws Exception {
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).willReturn(twirp(500, """
                {"code": "internal", "msg": "Lỗi không xác định", "meta": {}}""")));

        JsonNode onboarding = postOnboarding(FIRST_CONNECTION);

        String onboardingId = onboarding.path("onboardingId").asText();
        requests(3).forEach(sent -> assertAuthorizeShop(sent, FIRST_CONNECTION_BODY, onboardingId));
        assertThat(onboarding.path("results").path("its")).isEqualTo(json("""
                {"status": "FAILED", "attempts": 3, "error": {"code": "PROVIDER_ERROR", "retryable": true,
                 "message": "ITS had an internal error",
                 "providerStatus": 500, "providerCode": "internal", "providerMessage": "Lỗi không xác định"}}"""));
    }

    @Test
    void itsCallbackWithShopIdLinksTheShopUpdatesTheOnboardingAndRedirectsToTheMerchant() throws Exception {
        provider.stubFor(get(urlPathEqualTo("/ahamove/v1/partner/register_account")).willReturn(okJson(
                "{\"token\": \"eyJ.x.y\", \"refresh_token\": \"0c42af2105249b126b80862e96b3b055\"}")));
        stubTheLinkFlow();
        String request = "{" + MERCHANT + ", \"providers\": [\"ahamove\", \"its\"], \"its\": {\"redirectUrl\": \"" + MERCHANT_PAGE + "\"}}";
        JsonNode before = postOnboarding(request);
        String onboardingId = before.path("onboardingId").asText();
        assertThat(before.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(before.path("results").path("its").path("status").asText()).isEqualTo("ACTION_REQUIRED");
        String redirectUrl = redirectUrlSentToIts();
        assertThat(received()).hasSize(2);
        provider.resetRequests();

        // ITS sends the browser back, appending its parameters with '?' although our URL already has a query
        HttpResponse<String> browser = hub.get(browserUrl(redirectUrl + "?token=9aKfU2xLq7VbN3mT&shop_id=123"), null);

        assertThat(browser.statusCode()).as(browser.body()).isEqualTo(302);
        assertThat(browser.headers().firstValue("Location")).contains(MERCHANT_PAGE);
        List<LoggedRequest> calls = requests(2);
        assertAuthorizeShop(calls.get(0), "{\"shop_id\": \"123\"}", onboardingId);
        assertCurrentShop(calls.get(1), "shop123:Xk9pQ2rT5vW8yZ1b");
        JsonNode after = storedOnboarding(onboardingId);
        ObjectNode expected = before.deepCopy();
        expected.put("status", "SUCCEEDED");
        // nothing left for the merchant: no merchant link any more
        assertThat(expected.remove("merchantLink")).isNotNull();
        ((ObjectNode) expected.path("results")).set("its", json("""
                {"status": "SUCCEEDED", "attempts": 2, "credentials": {"shopId": "123", "shopKey": "shop123:Xk9pQ2rT5vW8yZ1b"}}"""));
        assertThat(after).isEqualTo(expected);

        // the same state again, to link the onboarding to another shop: refused, nothing called, nothing changed
        provider.resetRequests();
        HttpResponse<String> replayed = hub.get(browserUrl(redirectUrl + "?token=other&shop_id=999"), null);
        assertRefused(replayed, "state");
        assertThat(received()).isEmpty();
        assertThat(storedOnboarding(onboardingId)).isEqualTo(expected);
    }

    @Test
    void aUsedStateWrittenAnotherWayIsRefusedAndCallsNoProvider() throws Exception {
        stubTheLinkFlow();
        JsonNode before = postOnboarding(FIRST_CONNECTION);
        String onboardingId = before.path("onboardingId").asText();
        String redirectUrl = redirectUrlSentToIts();
        provider.resetRequests();
        HttpResponse<String> linked = hub.get(browserUrl(redirectUrl + "?token=t&shop_id=123"), null);
        assertThat(linked.statusCode()).as(linked.body()).isIn(200, 302);
        JsonNode after = storedOnboarding(onboardingId);
        assertThat(after.path("results").path("its").path("credentials").path("shopId").asText()).isEqualTo("123");

        // the same signed bytes re-encoded (padding, the last character's unused bits, percent-encoded padding):
        // each a new text, none may link the onboarding to another shop
        String mac = redirectUrl.substring(redirectUrl.lastIndexOf('.') + 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(mac.charAt(mac.length() - 1));
        String withoutLast = redirectUrl.substring(0, redirectUrl.length() - 1);
        List<String> variants = List.of(redirectUrl + "%3D", withoutLast + alphabet.charAt(last ^ 1),
                withoutLast + alphabet.charAt(last ^ 2), withoutLast + alphabet.charAt(last ^ 3));
        for (String variant : variants) {
            provider.resetRequests();
            HttpResponse<String> replayed = hub.get(browserUrl(variant + "?token=other&shop_id=999"), null);
            assertRefused(replayed, "state");
            assertThat(received()).as(variant).isEmpty();
            assertThat(storedOnboarding(onboardingId)).as(variant).isEqualTo(after);
        }
    }

    @Test
    void itsCallbackWithAForgedStateIsRefusedAndCallsNoProvider() throws Exception {
        stubTheLinkFlow();
        JsonNode before = postOnboarding(FIRST_CONNECTION);
        String onboardingId = before.path("onboardingId").asText();
        provider.resetRequests();
        long expiry = System.currentTimeMillis() / 1000 + 3600;

        HttpResponse<String> forged = hub.get(hub.url("/api/v1/callbacks/its?state=its." + onboardingId + "." + expiry
                + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?token=t&shop_id=123"), null);

        assertRefused(forged, "state");
        assertThat(received()).isEmpty();
        assertThat(storedOnboarding(onboardingId)).isEqualTo(before);
    }

    @Test
    void itsCallbackWithATamperedStateIsRefusedAndCallsNoProvider() throws Exception {
        stubTheLinkFlow();
        JsonNode signedFor = postOnboarding(FIRST_CONNECTION);
        String redirectUrl = redirectUrlSentToIts();
        provider.resetRequests();
        JsonNode other = postOnboarding(FIRST_CONNECTION);
        provider.resetRequests();
        // the genuine signature of one onboarding, pointed at another existing one
        String pointedElsewhere = redirectUrl.replace(signedFor.path("onboardingId").asText(), other.path("onboardingId").asText());
        assertThat(pointedElsewhere).isNotEqualTo(redirectUrl);

        HttpResponse<String> tampered = hub.get(browserUrl(pointedElsewhere + "?token=t&shop_id=123"), null);

        assertRefused(tampered, "state");
        assertThat(received()).isEmpty();
        assertThat(storedOnboarding(signedFor.path("onboardingId").asText())).isEqualTo(signedFor);
        assertThat(storedOnboarding(other.path("onboardingId").asText())).isEqualTo(other);
    }

    @Test
    void itsCallbackWithoutShopIdIsRefusedAndCallsNoProvider() throws Exception {
        stubTheLinkFlow();
        JsonNode before = postOnboarding(FIRST_CONNECTION);
        String onboardingId = before.path("onboardingId").asText();
        String redirectUrl = redirectUrlSentToIts();
        provider.resetRequests();

        HttpResponse<String> noShop = hub.get(browserUrl(redirectUrl + "?token=9aKfU2xLq7VbN3mT"), null);

        assertRefused(noShop, "shop_id");
        assertThat(received()).isEmpty();
        assertThat(storedOnboarding(onboardingId)).isEqualTo(before);
    }

    /** AuthorizeShop: shop_request first, shop_key once a shop_id is given; CurrentShop accepts the key. */
    @Test
    void itsCallbackWhoseLinkFailsStoresTheFailureAndSendsNothingOfTheProviderToTheBrowser() throws Exception {
        stubTheLinkFlow();
        // ITS answers the linking call with a body no adapter can read, and headers of its own
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.shop_id", equalTo("456")))
                .willReturn(twirp(200, "{\"unexpected\": true}").withHeader("Set-Cookie", "sess=PROVIDER-COOKIE")
                        .withHeader("X-Provider-Header", "PROVIDER-HEADER")));
        JsonNode before = postOnboarding(FIRST_CONNECTION);
        String onboardingId = before.path("onboardingId").asText();

        HttpResponse<String> browser = hub.get(browserUrl(redirectUrlSentToIts() + "&shop_id=456"), null);

        assertThat(browser.headers().map().keySet()).as("headers of the hub's answer")
                .noneMatch(name -> name.equalsIgnoreCase("Set-Cookie") || name.equalsIgnoreCase("X-Provider-Header"));
        assertThat(browser.body()).doesNotContain("PROVIDER");
        assertThat(browser.statusCode()).as(browser.body()).isEqualTo(302);
        assertThat(browser.headers().firstValue("Location")).contains(MERCHANT_PAGE);
        JsonNode its = storedOnboarding(onboardingId).path("results").path("its");
        assertThat(its.path("status").asText()).isEqualTo("FAILED");
        assertThat(its.path("error").path("code").asText()).isEqualTo("UNEXPECTED_RESPONSE");
    }

    private static void stubTheLinkFlow() {
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).atPriority(5).willReturn(twirp(200, SHOP_REQUEST)));
        provider.stubFor(post(urlPathEqualTo(AUTHORIZE_SHOP)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.shop_id", equalTo("123")))
                .willReturn(twirp(200, """
                        {"code": "ok", "msg": "", "type": "shop_key", "auth_token": "shop123:Xk9pQ2rT5vW8yZ1b",
                         "expires_in": -1, "meta": {}}""")));
        provider.stubFor(post(urlPathEqualTo(CURRENT_SHOP)).willReturn(twirp(200, """
                {"id": "123", "name": "Nguyễn Văn A", "type": "PartnerShop"}""")));
    }

    private static JsonNode postOnboarding(String request) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", request);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response.body());
    }

    private static JsonNode storedOnboarding(String onboardingId) throws Exception {
        HttpResponse<String> response = hub.get("/api/v1/onboardings/" + onboardingId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response.body());
    }

    /** The redirect_url of the one AuthorizeShop request ITS received. */
    private static String redirectUrlSentToIts() throws Exception {
        List<LoggedRequest> authorize = provider.findAll(postRequestedFor(urlPathEqualTo(AUTHORIZE_SHOP)));
        assertThat(authorize).hasSize(1);
        return json(authorize.get(0).getBodyAsString()).path("redirect_url").asText();
    }

    /**
     * Our callback as ITS sends the browser to it. hub.public-base-url defaults to
     * {@code http://localhost:<camel.server.port>}, i.e. the test hub itself, so the URL is used as given.
     */
    private static String browserUrl(String publicUrl) {
        assertThat(publicUrl).startsWith(hub.url("/api/v1/callbacks/its?state="));
        return publicUrl;
    }

    /** {@code <hub.public-base-url>/api/v1/callbacks/its?state=}. */
    private static String callbackPrefix() {
        return hub.url("/api/v1/callbacks/its?state=");
    }

    private static void assertRefused(HttpResponse<String> response, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = json(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(error.path("violations")).hasSize(1);
        assertThat(error.path("violations").get(0).path("field").asText()).isEqualTo(field);
        assertThat(response.headers().firstValue("Location")).isEmpty();
    }

    private static ResponseDefinitionBuilder twirp(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /**
     * POST {@code <BASE_URL>.Shop/AuthorizeShop} with the partner key, JSON, exactly {@code fields} plus
     * {@code redirect_url} = our signed callback for this onboarding.
     */
    private static void assertAuthorizeShop(LoggedRequest sent, String fields, String onboardingId) {
        assertTwirpCall(sent, AUTHORIZE_SHOP, "Bearer " + ItsSandbox.API_KEY);
        try {
            ObjectNode body = (ObjectNode) json(sent.getBodyAsString());
            String redirectUrl = body.path("redirect_url").asText();
            assertThat(redirectUrl).startsWith(callbackPrefix());
            assertThat(redirectUrl.substring(callbackPrefix().length()))
                    .matches("its\\." + onboardingId + "\\.\\d+\\.[A-Za-z0-9_-]{43}");
            body.remove("redirect_url");
            assertThat(body).isEqualTo(json(fields));
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("request body is not JSON: " + sent.getBodyAsString(), e);
        }
    }

    /** POST {@code <BASE_URL>.Shop/CurrentShop} with the shop key as Bearer and body {@code {}}. */
    private static void assertCurrentShop(LoggedRequest sent, String shopKey) {
        assertTwirpCall(sent, CURRENT_SHOP, "Bearer " + shopKey);
        try {
            assertThat(json(sent.getBodyAsString())).isEqualTo(json("{}"));
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("request body is not JSON: " + sent.getBodyAsString(), e);
        }
    }

    private static void assertTwirpCall(LoggedRequest sent, String path, String authorization) {
        assertThat(sent.getMethod().getName()).isEqualTo("POST");
        assertThat(sent.getUrl()).isEqualTo(path);
        assertThat(sent.getHeader("Authorization")).isEqualTo(authorization);
        assertThat(sent.contentTypeHeader().mimeTypePart()).isEqualTo("application/json");
        assertThat(sent.getHeaders().keys()).noneMatch(h -> h.equalsIgnoreCase("X-API-Key") || h.startsWith("Camel")
                || h.equalsIgnoreCase("async") || h.equalsIgnoreCase("state") || h.equalsIgnoreCase("shop_id")
                || h.equalsIgnoreCase("token") || h.equalsIgnoreCase("provider"));
    }

    /** Exactly {@code n} requests reached ITS. */
    private static List<LoggedRequest> requests(int n) {
        List<LoggedRequest> calls = received();
        assertThat(calls).hasSize(n);
        return calls;
    }
}
