package vn.onboardinghub.providers.ahamove;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.providers.ProviderContractTest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/** Ahamove {@code GET /v1/partner/register_account}, one test per documented response. */
class AhamoveContractTest extends ProviderContractTest {
    static final String PATH = "/ahamove/v1/partner/register_account";
    static final String REQUEST = "{" + MERCHANT + ", \"providers\": [\"ahamove\"], \"ahamove\": {\"parentId\": \"P-1\"}}";
    /** The query Ahamove must receive for {@link #REQUEST}: every parameter, nothing else. */
    static final Map<String, List<String>> QUERY = Map.of(
            "api_key", List.of(AhamoveSandbox.API_KEY),
            "mobile", List.of("84912345678"),
            "name", List.of("Nguyễn Văn A"),
            "address", List.of("12 Lê Lợi, Quận 1, TP.HCM"),
            "lat", List.of("10.7769"),
            "lng", List.of("106.7009"),
            "email", List.of("a@example.vn"),
            "parent_id", List.of("P-1"));

    @Test
    void ahamoveSuccessReturnsTokensAndSendsEveryParameterInTheQuery() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(okJson("""
                {"token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhaGEifQ.celDzdkTiNuIjEf_8LDCJHTyK74BuceXB5IYhfHo08I",
                 "refresh_token": "0c42af2105249b126b80862e96b3b055"}""")));

        JsonNode result = onboard(REQUEST, "ahamove");

        LoggedRequest sent = theOnlyRequest();
        assertThat(sent.getMethod().getName()).isEqualTo("GET");
        assertThat(sent.queryParameter("api_key").firstValue()).isEqualTo(AhamoveSandbox.API_KEY);
        assertThat(sent.queryParameter("mobile").firstValue()).isEqualTo("84912345678");
        assertThat(sent.queryParameter("name").firstValue()).isEqualTo("Nguyễn Văn A");
        assertThat(sent.queryParameter("address").firstValue()).isEqualTo("12 Lê Lợi, Quận 1, TP.HCM");
        assertThat(sent.queryParameter("lat").firstValue()).isEqualTo("10.7769");
        assertThat(sent.queryParameter("lng").firstValue()).isEqualTo("106.7009");
        assertThat(sent.queryParameter("email").firstValue()).isEqualTo("a@example.vn");
        assertThat(sent.queryParameter("parent_id").firstValue()).isEqualTo("P-1");
        assertDocumentedRequest(sent, QUERY);
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

        assertDocumentedRequest(theOnlyRequest(), QUERY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "ACCOUNT_NOT_LINKED", "retryable": false,
                 "message": "The Ahamove account for this phone does not belong to this partner, or there is none",
                 "providerStatus": 401, "providerCode": "NOT_AUTHORIZED",
                 "providerMessage": "Not authorized. Tài khoản hiện tại không thuộc Đối tác này"}}"""));
    }

    @Test
    void ahamove404ApiKeyOrParentIdNotFoundIsNotFound() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"title\": \"NOT_FOUND\", \"description\": \"Không tìm thấy parent_id\"}")));

        JsonNode result = onboard(REQUEST, "ahamove");

        assertDocumentedRequest(theOnlyRequest(), QUERY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "NOT_FOUND", "retryable": false,
                 "message": "Ahamove does not know the partner api_key or the parent_id",
                 "providerStatus": 404, "providerCode": "NOT_FOUND",
                 "providerMessage": "Không tìm thấy parent_id"}}"""));
    }

    @Test
    void ahamove409EmailExistsIsAlreadyExists() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(409)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"title\": \"CONFLICT\", \"description\": \"Email đã tồn tại\"}")));

        JsonNode result = onboard(REQUEST, "ahamove");

        assertDocumentedRequest(theOnlyRequest(), QUERY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "ALREADY_EXISTS", "retryable": false,
                 "message": "Ahamove already has an account with this email",
                 "providerStatus": 409, "providerCode": "CONFLICT",
                 "providerMessage": "Email đã tồn tại"}}"""));
    }

    @Test
    void ahamove403LockedAccountIsAccountLocked() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"title\": \"FORBIDDEN\", \"description\": \"Tài khoản đã bị khóa\"}")));

        JsonNode result = onboard(REQUEST, "ahamove");

        assertDocumentedRequest(theOnlyRequest(), QUERY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "ACCOUNT_LOCKED", "retryable": false,
                 "message": "The Ahamove account for this phone is locked or deactivated",
                 "providerStatus": 403, "providerCode": "FORBIDDEN",
                 "providerMessage": "Tài khoản đã bị khóa"}}"""));
    }

    @Test
    void ahamove500IsProviderErrorRetriedUntilMaxAttempts() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"title\": \"INTERNAL_SERVER_ERROR\", \"description\": \"Hệ thống của chúng tôi có lỗi xảy ra. Xin thử lại sau\"}")));

        JsonNode result = onboard(REQUEST, "ahamove");

        List<LoggedRequest> calls = requests(3);
        calls.forEach(sent -> assertDocumentedRequest(sent, QUERY));
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 3, "error": {"code": "PROVIDER_ERROR", "retryable": true,
                 "message": "Ahamove answered HTTP 500",
                 "providerStatus": 500, "providerCode": "INTERNAL_SERVER_ERROR",
                 "providerMessage": "Hệ thống của chúng tôi có lỗi xảy ra. Xin thử lại sau"}}"""));
    }

    @Test
    void ahamove500ThenSuccessSucceedsOnTheSecondAttempt() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("recovered"));
        provider.stubFor(get(urlPathEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(okJson("{\"token\": \"eyJ.x.y\", \"refresh_token\": \"0c42af2105249b126b80862e96b3b055\"}")));

        JsonNode result = onboard(REQUEST, "ahamove");

        requests(2).forEach(sent -> assertDocumentedRequest(sent, QUERY));
        assertThat(result).isEqualTo(json("""
                {"status": "SUCCEEDED", "attempts": 2, "credentials": {
                  "token": "eyJ.x.y", "refreshToken": "0c42af2105249b126b80862e96b3b055"}}"""));
    }

    @Test
    void ahamove503IsProviderUnavailableRetriedUntilMaxAttempts() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"title\": \"SERVICE_UNAVAILABLE\", \"description\": \"Chúng tôi tạm thời đang không hoạt động để bảo trì. Xin vui lòng thử lại sau\"}")));

        JsonNode result = onboard(REQUEST, "ahamove");

        requests(3).forEach(sent -> assertDocumentedRequest(sent, QUERY));
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 3, "error": {"code": "PROVIDER_UNAVAILABLE", "retryable": true,
                 "message": "Ahamove answered HTTP 503",
                 "providerStatus": 503, "providerCode": "SERVICE_UNAVAILABLE",
                 "providerMessage": "Chúng tôi tạm thời đang không hoạt động để bảo trì. Xin vui lòng thử lại sau"}}"""));
    }

    @Test
    void ahamove4xxWithNonJsonBodyTakesTheMessageFromTheRawBody() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "text/html")
                .withBody("<html><body><h1>403 Forbidden</h1></body></html>\n")));

        JsonNode result = onboard(REQUEST, "ahamove");

        assertDocumentedRequest(theOnlyRequest(), QUERY);
        assertThat(result).isEqualTo(json("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "ACCOUNT_LOCKED", "retryable": false,
                 "message": "The Ahamove account for this phone is locked or deactivated",
                 "providerStatus": 403, "providerCode": null,
                 "providerMessage": "<html><body><h1>403 Forbidden</h1></body></html>"}}"""));
    }

    @Test
    void ahamoveQueryValuesWithReservedCharactersArriveExactlyAndAddNoParameters() throws Exception {
        provider.stubFor(get(urlPathEqualTo(PATH)).willReturn(okJson(
                "{\"token\": \"eyJ.x.y\", \"refresh_token\": \"0c42af2105249b126b80862e96b3b055\"}")));
        String name = "Tiệm Bé & Mẹ = 1+1 #2 ?x=y";
        String address = "12 Lê Lợi\r\nQuận 1 & 3; TP.HCM #4 %20 ?api_key=evil";
        String email = "a+shop@example.vn";
        String parentId = "P 1&api_key=evil#frag";
        String request = """
                {"merchant": {"externalId": "M-002", "name": %s, "phone": "+84 912.345-678", "email": %s,
                              "address": %s, "lat": 10.7769, "lng": 106.7009, "countryCode": "VN"},
                 "providers": ["ahamove"], "ahamove": {"parentId": %s}}""".formatted(
                MAPPER.writeValueAsString(name), MAPPER.writeValueAsString(email),
                MAPPER.writeValueAsString(address), MAPPER.writeValueAsString(parentId));

        JsonNode result = onboard(request, "ahamove");

        LoggedRequest sent = theOnlyRequest();
        assertThat(sent.getUrl()).doesNotContain(" ", "#", "\r", "\n").startsWith(PATH + "?");
        assertDocumentedRequest(sent, Map.of(
                "api_key", List.of(AhamoveSandbox.API_KEY),
                "mobile", List.of("84912345678"),
                "name", List.of(name),
                "address", List.of(address),
                "lat", List.of("10.7769"),
                "lng", List.of("106.7009"),
                "email", List.of(email),
                "parent_id", List.of(parentId),
                "country_code", List.of("VN")));
        assertThat(result).isEqualTo(json("""
                {"status": "SUCCEEDED", "attempts": 1, "credentials": {
                  "token": "eyJ.x.y", "refreshToken": "0c42af2105249b126b80862e96b3b055"}}"""));
    }

    /** GET on the documented path, no body, and exactly these query parameters (form-decoded), nothing more. */
    private static void assertDocumentedRequest(LoggedRequest sent, Map<String, List<String>> query) {
        assertThat(sent.getMethod().getName()).isEqualTo("GET");
        assertThat(sent.getUrl()).startsWith(PATH + "?");
        assertThat(sent.getBody()).isEmpty();
        assertThat(sent.getHeaders().keys()).noneMatch(h -> h.equalsIgnoreCase("X-API-Key") || h.startsWith("Camel"));
        assertThat(rawQuery(sent.getUrl())).isEqualTo(query);
    }

    /** The query string as a server decodes it: {@code &}-separated {@code name=value} pairs, form-decoded. */
    private static Map<String, List<String>> rawQuery(String url) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        String query = url.substring(url.indexOf('?') + 1);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    /** Exactly {@code n} requests reached the provider (retries), none carrying the caller's headers. */
    private static List<LoggedRequest> requests(int n) {
        List<LoggedRequest> calls = received();
        assertThat(calls).hasSize(n);
        return calls;
    }
}
