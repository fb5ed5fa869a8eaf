package vn.onboardinghub.providers.ghtk;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.providers.ProviderContractTest;

import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** GHTK {@code POST /services/shops/token}, one test per documented response. */
class GhtkContractTest extends ProviderContractTest {
    static final String PATH = "/ghtk/services/shops/token";
    /** ghtk.email left out: it defaults to merchant.email. */
    static final String REQUEST = "{" + MERCHANT + ", \"providers\": [\"ghtk\"], \"ghtk\": {\"password\": \"1S@fF#K2\"}}";
    static final String SENT_BODY = "{\"email\": \"a@example.vn\", \"password\": \"1S@fF#K2\"}";

    @Test
    void ghtkSuccessReturnsShopCodeAndTokenAndSendsPartnerHeadersAndMerchantEmail() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson("""
                {"success": true, "message": "Thành công",
                 "data": {"code": "S19159", "token": "5568B780966147C0764EDD207af0233516E4c683"}}""")));

        JsonNode result = onboard(REQUEST, "ghtk");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "SUCCEEDED", "attempts": 1,
                 "credentials": {"shopCode": "S19159", "token": "5568B780966147C0764EDD207af0233516E4c683"}}"""));
    }

    @Test
    void ghtkSuccessWithAnExplicitShopEmailSendsThatEmail() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson("""
                {"success": true, "message": "Thành công",
                 "data": {"code": "S19159", "token": "5568B780966147C0764EDD207af0233516E4c683"}}""")));
        String request = "{" + MERCHANT + ", \"providers\": [\"ghtk\"],"
                + " \"ghtk\": {\"email\": \"shoptest@email.com\", \"password\": \"1S@fF#K2\"}}";

        JsonNode result = onboard(request, "ghtk");

        assertDocumentedRequest(theOnlyRequest(), "{\"email\": \"shoptest@email.com\", \"password\": \"1S@fF#K2\"}");
        assertThat(result).isEqualTo(json("""
                {"status": "SUCCEEDED", "attempts": 1,
                 "credentials": {"shopCode": "S19159", "token": "5568B780966147C0764EDD207af0233516E4c683"}}"""));
    }

    @Test
    void ghtkWrongLoginAtHttp200IsInvalidCredentials() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson("""
                {"success": false, "message": "Dữ liệu đăng nhập không hợp lệ"}""")));

        JsonNode result = onboard(REQUEST, "ghtk");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "INVALID_CREDENTIALS", "retryable": false,
                 "message": "GHTK rejected the shop's email or password",
                 "providerStatus": 200, "providerCode": null, "providerMessage": "Dữ liệu đăng nhập không hợp lệ"}}"""));
    }

    @Test
    void ghtkNoPermissionAtHttp200IsPermissionDenied() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson("""
                {"success": false, "message": "Tài khoản của bạn không có quyền sử dụng API này"}""")));

        JsonNode result = onboard(REQUEST, "ghtk");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "PERMISSION_DENIED", "retryable": false,
                 "message": "This GHTK partner account may not retrieve shop tokens (only B2C partners may)",
                 "providerStatus": 200, "providerCode": null,
                 "providerMessage": "Tài khoản của bạn không có quyền sử dụng API này"}}"""));
    }

    @Test
    void ghtk401Error20101IsPartnerAuthFailed() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(ghtkError(401, """
                {"success": false, "message": "Cần cung cấp token hợp lệ", "error_code": 20101, "log_id": "a1b2c3"}""")));

        JsonNode result = onboard(REQUEST, "ghtk");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "PARTNER_AUTH_FAILED", "retryable": false,
                 "message": "GHTK rejected the partner token (hub.providers.ghtk.token)",
                 "providerStatus": 401, "providerCode": "20101", "providerMessage": "Cần cung cấp token hợp lệ"}}"""));
    }

    @Test
    void ghtk500Error10101IsProviderErrorRetriedUntilMaxAttempts() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(ghtkError(500, """
                {"success": false, "message": "Đã có lỗi xảy ra!", "error_code": "10101", "log_id": "d4e5f6"}""")));

        JsonNode result = onboard(REQUEST, "ghtk");

        requests(3).forEach(sent -> assertDocumentedRequest(sent, SENT_BODY));
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 3, "error": {"code": "PROVIDER_ERROR", "retryable": true,
                 "message": "GHTK answered HTTP 500",
                 "providerStatus": 500, "providerCode": "10101", "providerMessage": "Đã có lỗi xảy ra!"}}"""));
    }

    @Test
    void ghtk500Error10103IsProviderErrorRetriedUntilMaxAttempts() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(ghtkError(500, """
                {"success": false, "message": "Hệ thống GHTK đang gặp sự cố, vui lòng thử lại sau", "error_code": 10103, "log_id": "0a0b0c"}""")));

        JsonNode result = onboard(REQUEST, "ghtk");

        requests(3).forEach(sent -> assertDocumentedRequest(sent, SENT_BODY));
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 3, "error": {"code": "PROVIDER_ERROR", "retryable": true,
                 "message": "GHTK answered HTTP 500",
                 "providerStatus": 500, "providerCode": "10103",
                 "providerMessage": "Hệ thống GHTK đang gặp sự cố, vui lòng thử lại sau"}}"""));
    }

    @Test
    void ghtk404Error10104IsNotFound() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(ghtkError(404, """
                {"success": false, "message": "Không tìm thấy đường dẫn", "error_code": "10104", "log_id": "f0f1f2"}""")));

        JsonNode result = onboard(REQUEST, "ghtk");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "NOT_FOUND", "retryable": false,
                 "message": "GHTK does not know this endpoint",
                 "providerStatus": 404, "providerCode": "10104", "providerMessage": "Không tìm thấy đường dẫn"}}"""));
    }

    @Test
    void ghtkSuccessFalseWithAnUnknownMessageIsUnexpectedResponse() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson("""
                {"success": false, "message": "Shop đang bị tạm khóa"}""")));

        JsonNode result = onboard(REQUEST, "ghtk");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "UNEXPECTED_RESPONSE", "retryable": false,
                 "message": "GHTK refused the request with an error the hub does not know",
                 "providerStatus": 200, "providerCode": null, "providerMessage": "Shop đang bị tạm khóa"}}"""));
    }

    @Test
    void ghtkGarbledBodyAtHttp200IsUnexpectedResponse() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"success\": tr<html>Gateway hiccup")));

        JsonNode result = onboard(REQUEST, "ghtk");

        assertDocumentedRequest(theOnlyRequest(), SENT_BODY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "UNEXPECTED_RESPONSE", "retryable": false,
                 "message": "GHTK answered without success, data.code and data.token",
                 "providerStatus": 200, "providerCode": null, "providerMessage": "{\\"success\\": tr<html>Gateway hiccup"}}"""));
    }

    private static ResponseDefinitionBuilder ghtkError(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** POST on the documented path with the partner headers and exactly this JSON body. */
    private static void assertDocumentedRequest(LoggedRequest sent, String body) {
        assertJsonPost(sent, PATH, body);
        assertThat(sent.getHeader("Token")).isEqualTo(GhtkSandbox.TOKEN);
        assertThat(sent.getHeader("X-Client-Source")).isEqualTo(GhtkSandbox.CLIENT_SOURCE);
        assertThat(sent.getHeaders().keys()).noneMatch(h -> h.equalsIgnoreCase("Authorization"));
    }

    private static List<LoggedRequest> requests(int n) {
        List<LoggedRequest> calls = received();
        assertThat(calls).hasSize(n);
        return calls;
    }
}
