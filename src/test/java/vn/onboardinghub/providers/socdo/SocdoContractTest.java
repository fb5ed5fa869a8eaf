package vn.onboardinghub.providers.socdo;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.providers.ProviderContractTest;

import java.net.http.HttpResponse;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Socdo mini app {@code POST /mini-app/v1/register}, one test per documented response. */
class SocdoContractTest extends ProviderContractTest {
    static final String PATH = "/socdo/mini-app/v1/register";
    static final String REQUEST = "{" + MERCHANT + ", \"providers\": [\"socdo\"], \"socdo\": {\"zaloUserId\": \"123456789\","
            + " \"avatar\": \"https://example.com/avatar.jpg\", \"gender\": \"male\"}}";
    /** Every field, {@code mobile} in the national 0… form. */
    static final String SENT_BODY = """
            {"zalo_user_id": "123456789", "name": "Nguyễn Văn A", "avatar": "https://example.com/avatar.jpg",
             "gender": "male", "email": "a@example.vn", "mobile": "0912345678"}""";
    static final String REGISTERED = """
            {"success": true, "message": "Đăng ký Zalo thành công",
             "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzZWxsZXJfaWQiOjIzOTMzfQ.c2lnbmF0dXJl",
             "data": {"user_id": 123, "zalo_user_id": "123456789", "name": "Nguyễn Văn A", "username": "zalo_123456789",
                      "email": "a@example.vn", "mobile": "0912345678", "avatar": "https://example.com/avatar.jpg",
                      "gender": "male", "user_money": 0, "user_money2": 0, "doitac": "zalo", "seller_id": 23933, "shop_id": 23933}}""";

    @Test
    void socdo201RegistersAndReturnsTokenUserIdAndUsername() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(socdo(201, REGISTERED)));

        JsonNode result = onboard(REQUEST, "socdo");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "SUCCEEDED", "attempts": 1, "credentials": {
                  "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzZWxsZXJfaWQiOjIzOTMzfQ.c2lnbmF0dXJl",
                  "userId": "123", "username": "zalo_123456789"}}"""));
    }

    @Test
    void socdo201WithoutOptionalFieldsSendsOnlyWhatIsKnown() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(socdo(201, REGISTERED)));
        String request = """
                {"merchant": {"externalId": "M-003", "name": "Nguyễn Văn A", "phone": "84 912 345 678"},
                 "providers": ["socdo"], "socdo": {"zaloUserId": "123456789"}}""";

        JsonNode result = onboard(request, "socdo");

        assertDocumentedRequest(theOnlyRequest(), """
                {"zalo_user_id": "123456789", "name": "Nguyễn Văn A", "mobile": "0912345678"}""");
        assertThat(result).isEqualTo(json("""
                {"status": "SUCCEEDED", "attempts": 1, "credentials": {
                  "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzZWxsZXJfaWQiOjIzOTMzfQ.c2lnbmF0dXJl",
                  "userId": "123", "username": "zalo_123456789"}}"""));
    }

    @Test
    void socdo409NeedLoginIsActionRequiredLoginAlreadyRegistered() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(socdo(409, """
                {"success": false, "message": "Tài khoản Zalo đã được đăng ký. Vui lòng đăng nhập.",
                 "need_login": true, "zalo_user_id": "123456789"}""")));

        HttpResponse<String> response = hub.post("/api/v1/onboardings", REQUEST);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode onboarding = json(response.body());
        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(onboarding.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(onboarding.path("results").path("socdo")).isEqualTo(json("""
                {"status": "ACTION_REQUIRED", "attempts": 1, "action": {"type": "LOGIN"},
                 "error": {"code": "ALREADY_REGISTERED", "retryable": false,
                  "message": "This Zalo user already has a Socdo account: the merchant must log in",
                  "providerStatus": 409, "providerCode": null,
                  "providerMessage": "Tài khoản Zalo đã được đăng ký. Vui lòng đăng nhập."}}"""));
    }

    @Test
    void socdo400MissingInformationIsInvalidRequest() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(socdo(400, """
                {"success": false, "message": "Vui lòng cung cấp đầy đủ thông tin Zalo (zalo_user_id, name)"}""")));

        JsonNode result = onboard(REQUEST, "socdo");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "INVALID_REQUEST", "retryable": false,
                 "message": "Socdo refused the registration data (zalo_user_id and name are required)",
                 "providerStatus": 400, "providerCode": null,
                 "providerMessage": "Vui lòng cung cấp đầy đủ thông tin Zalo (zalo_user_id, name)"}}"""));
    }

    @Test
    void socdo401InvalidTokenIsPartnerAuthFailed() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(socdo(401, """
                {"message": "Token không hợp lệ"}""")));

        JsonNode result = onboard(REQUEST, "socdo");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "PARTNER_AUTH_FAILED", "retryable": false,
                 "message": "Socdo rejected the seller token (hub.providers.socdo.token-seller / shop-id)",
                 "providerStatus": 401, "providerCode": null, "providerMessage": "Token không hợp lệ"}}"""));
    }

    @Test
    void socdo500IsProviderErrorRetriedUntilMaxAttempts() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(socdo(500, """
                {"success": false, "message": "Có lỗi xảy ra, vui lòng thử lại!"}""")));

        JsonNode result = onboard(REQUEST, "socdo");

        List<LoggedRequest> calls = received();
        assertThat(calls).hasSize(3);
        calls.forEach(sent -> assertDocumentedRequest(sent, SENT_BODY));
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 3, "error": {"code": "PROVIDER_ERROR", "retryable": true,
                 "message": "Socdo answered HTTP 500",
                 "providerStatus": 500, "providerCode": null, "providerMessage": "Có lỗi xảy ra, vui lòng thử lại!"}}"""));
    }

    private static ResponseDefinitionBuilder socdo(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8").withBody(body);
    }

    /** POST on the documented path with Token-Seller and Shop-ID and exactly this JSON body. */
    private static void assertDocumentedRequest(LoggedRequest sent, String body) {
        assertJsonPost(sent, PATH, body);
        assertThat(sent.getHeader("Token-Seller")).isEqualTo(SocdoSandbox.TOKEN_SELLER);
        assertThat(sent.getHeader("Shop-ID")).isEqualTo(SocdoSandbox.SHOP_ID);
        assertThat(sent.getHeaders().keys()).noneMatch(h -> h.equalsIgnoreCase("Authorization"));
    }
}
