package vn.onboardinghub.providers.its;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import vn.onboardinghub.providers.ProviderSandbox;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static vn.onboardinghub.providers.ProviderSandbox.json;

/**
 * ITS as documented, including the redirect flow: a first AuthorizeShop answers {@code shop_request} with an
 * {@code auth_url} on this simulator, valid {@code expires_in} seconds (900, or what the constructor says); opening
 * it in time "logs the shop in" and redirects to {@code redirect_url} with {@code token} and {@code shop_id}, later
 * it answers 410 (the ITS docs do not say what ITS shows then); AuthorizeShop with that {@code shop_id} answers {@code shop_key}, which
 * CurrentShop accepts. Errors: wrong partner key → 401 {@code unauthenticated}; shop_id {@code 403} → 403
 * {@code permission_denied}; an email containing {@code invalid} → 400 {@code invalid_argument}; any other path
 * or a missing JSON Content-Type → 404 {@code bad_route}.
 */
public class ItsSandbox implements ProviderSandbox {
    static final String API_KEY = "sandbox-its-key";
    static final String SANDBOX_SHOP_ID = "100200300";
    /** How long ITS's documented example keeps an auth_url valid. */
    static final int DOCUMENTED_LINK_SECONDS = 900;
    private final int linkSeconds;

    public ItsSandbox() {
        this(DOCUMENTED_LINK_SECONDS);
    }

    /** A simulator whose auth_urls expire after {@code linkSeconds} (e.g. a test that outlives one). */
    public ItsSandbox(int linkSeconds) {
        this.linkSeconds = linkSeconds;
    }

    @Override
    public String basePath() {
        return "/v1/partner";
    }

    @Override
    public Map<String, String> credentials() {
        return Map.of(ItsAdapter.API_KEY_SETTING, API_KEY);
    }

    @Override
    public void register(WireMockServer server, String prefix) {
        String base = prefix + basePath();
        String authorize = base + ItsAdapter.AUTHORIZE_SHOP;
        server.stubFor(any(urlPathMatching(prefix + "/.*")).atPriority(10)
                .willReturn(twirpError(404, "bad_route", "no handler for path")));
        server.stubFor(post(urlPathEqualTo(authorize)).atPriority(9).withHeader("Content-Type", containing("application/json"))
                .willReturn(twirpError(401, "unauthenticated", "Vui lòng kiểm tra lại request đã bao gồm header Authorization: <api_key> đúng.")));
        server.stubFor(authorized(authorize).atPriority(5)
                .willReturn(json(200, """
                        {"type": "shop_request", "auth_token": "{{randomValue length=32 type='ALPHANUMERIC'}}", "expires_in": %d,
                         "auth_url": "%s%s/login?redirect_url={{{urlEncode (jsonPath request.body '$.redirect_url')}}}&expires={{now offset='%d seconds' format='unix'}}",
                         "code": "ok", "msg": "", "meta": {}}""".formatted(linkSeconds, server.baseUrl(), prefix, linkSeconds))
                        .withTransformers("response-template")));
        server.stubFor(authorized(authorize).atPriority(4)
                .withRequestBody(matchingJsonPath("$.shop_id", matching("[0-9]+")))
                .willReturn(json(200, """
                        {"type": "shop_key", "auth_token": "shop{{jsonPath request.body '$.shop_id'}}:{{randomValue length=32 type='ALPHANUMERIC'}}",
                         "expires_in": -1, "code": "ok", "msg": "", "meta": {}}""")
                        .withTransformers("response-template")));
        server.stubFor(authorized(authorize).atPriority(3)
                .withRequestBody(matchingJsonPath("$.shop_id", equalTo("403")))
                .willReturn(twirpError(403, "permission_denied", "Shop chưa bao giờ đăng nhập vào ITS thông qua hệ thống của đối tác.")));
        server.stubFor(authorized(authorize).atPriority(3)
                .withRequestBody(matchingJsonPath("$.email", containing("invalid")))
                .willReturn(twirpError(400, "invalid_argument", "Giá trị email không hợp lệ")));

        server.stubFor(post(urlPathEqualTo(base + ItsAdapter.CURRENT_SHOP)).atPriority(5)
                .withHeader("Content-Type", containing("application/json"))
                .withHeader("Authorization", matching("Bearer shop[0-9]+:.+"))
                .willReturn(json(200, """
                        {"id": "{{regexExtract request.headers.Authorization 'shop([0-9]+):' 'parts'}}{{parts.0}}",
                         "name": "Sandbox Shop", "type": "PartnerShop"}""")
                        .withTransformers("response-template")));
        server.stubFor(post(urlPathEqualTo(base + ItsAdapter.CURRENT_SHOP)).atPriority(6)
                .withHeader("Content-Type", containing("application/json"))
                .willReturn(twirpError(401, "unauthenticated", "invalid shop key")));

        // the shop's login page: "logs in" at once and sends the browser back literally as documented,
        // $REDIRECT_URL?token=<token>&shop_id=<shop_id>, even when redirect_url already has a query
        server.stubFor(get(urlPathEqualTo(prefix + "/login")).atPriority(1)
                .withQueryParam("redirect_url", matching("https?://.+"))
                .andMatching(ItsSandbox::unexpired)
                .willReturn(aResponse().withStatus(302).withHeader("Location",
                                "{{{request.query.redirect_url}}}?token={{randomValue length=24 type='ALPHANUMERIC'}}&shop_id=" + SANDBOX_SHOP_ID)
                        .withTransformers("response-template")));
        server.stubFor(get(urlPathEqualTo(prefix + "/login")).atPriority(2)
                .willReturn(aResponse().withStatus(410).withHeader("Content-Type", "text/html; charset=utf-8")
                        .withBody("<!doctype html><title>ITS</title><p>Yêu cầu đăng nhập đã hết hạn.</p>")));
    }

    /** An auth_url opened before its {@code expires} (epoch seconds). */
    private static MatchResult unexpired(Request request) {
        QueryParameter expires = request.queryParameter("expires");
        return MatchResult.of(expires.isPresent() && expires.firstValue().matches("\\d{1,12}")
                && Long.parseLong(expires.firstValue()) > System.currentTimeMillis() / 1000);
    }

    private static com.github.tomakehurst.wiremock.client.MappingBuilder authorized(String path) {
        return post(urlPathEqualTo(path))
                .withHeader("Content-Type", containing("application/json"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + API_KEY));
    }

    private static ResponseDefinitionBuilder twirpError(int status, String code, String msg) {
        return json(status, "{\"code\": \"" + code + "\", \"msg\": \"" + msg + "\", \"meta\": {}}");
    }

}
