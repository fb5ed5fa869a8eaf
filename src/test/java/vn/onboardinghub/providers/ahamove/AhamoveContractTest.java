package vn.onboardinghub.providers.ahamove;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.providers.ProviderContractTest;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Ahamove {@code GET /v1/partner/register_account}, one test per documented response. */
class AhamoveContractTest extends ProviderContractTest {
    static final String PATH = "/ahamove/v1/partner/register_account";
    static final String REQUEST = "{" + MERCHANT + ", \"providers\": [\"ahamove\"], \"ahamove\": {\"parentId\": \"P-1\"}}";

    @Test
    void ahamoveSuccessReturnsTokensAndSendsEveryParameterInTheQuery() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(okJson("""
                {"token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhaGEifQ.celDzdkTiNuIjEf_8LDCJHTyK74BuceXB5IYhfHo08I",
                 "refresh_token": "0c42af2105249b126b80862e96b3b055"}""")));

        JsonNode result = onboard(REQUEST, "ahamove");

        LoggedRequest sent = theOnlyRequest();
        assertThat(sent.getMethod().getName()).isEqualTo("GET");
        assertThat(sent.queryParameter("api_key").firstValue()).isEqualTo("aha-key");
        assertThat(sent.queryParameter("mobile").firstValue()).isEqualTo("84912345678");
        assertThat(sent.queryParameter("name").firstValue()).isEqualTo("Nguyễn Văn A");
        assertThat(sent.queryParameter("address").firstValue()).isEqualTo("12 Lê Lợi, Quận 1, TP.HCM");
        assertThat(sent.queryParameter("lat").firstValue()).isEqualTo("10.7769");
        assertThat(sent.queryParameter("lng").firstValue()).isEqualTo("106.7009");
        assertThat(sent.queryParameter("email").firstValue()).isEqualTo("a@example.vn");
        assertThat(sent.queryParameter("parent_id").firstValue()).isEqualTo("P-1");
        assertThat(result).isEqualTo(json("""
                {"status": "SUCCEEDED", "attempts": 1, "credentials": {
                  "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhaGEifQ.celDzdkTiNuIjEf_8LDCJHTyK74BuceXB5IYhfHo08I",
                  "refreshToken": "0c42af2105249b126b80862e96b3b055"}}"""));
    }

    @Test
    void ahamove401IsAccountNotLinked() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"title\": \"NOT_AUTHORIZED\", \"description\": \"Not authorized. Tài khoản hiện tại không thuộc Đối tác này\"}")));

        JsonNode result = onboard(REQUEST, "ahamove");

        theOnlyRequest();
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "ACCOUNT_NOT_LINKED", "retryable": false,
                 "message": "The Ahamove account for this phone does not belong to this partner, or there is none",
                 "providerStatus": 401, "providerCode": "NOT_AUTHORIZED",
                 "providerMessage": "Not authorized. Tài khoản hiện tại không thuộc Đối tác này"}}"""));
    }
}
