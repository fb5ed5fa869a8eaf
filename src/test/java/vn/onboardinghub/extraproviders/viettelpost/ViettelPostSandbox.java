package vn.onboardinghub.extraproviders.viettelpost;

import com.github.tomakehurst.wiremock.WireMockServer;
import vn.onboardinghub.providers.ProviderSandbox;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static vn.onboardinghub.providers.ProviderSandbox.json;

/**
 * Viettel Post as documented: a wrong token gets 401; a phone ending in {@code 409} gets the "already registered"
 * envelope at HTTP 200; anything else gets a user id and token.
 */
public class ViettelPostSandbox implements ProviderSandbox {
    static final String TOKEN = "sandbox-viettelpost-token";

    @Override
    public Map<String, String> credentials() {
        return Map.of(ViettelPostAdapter.TOKEN_SETTING, TOKEN);
    }

    @Override
    public void register(WireMockServer server, String prefix) {
        String path = prefix + ViettelPostAdapter.PATH;
        server.stubFor(post(urlPathEqualTo(path)).atPriority(10)
                .willReturn(json(401, "{\"status\": 401, \"error\": true, \"message\": \"Token không hợp lệ\", \"data\": null}")));
        server.stubFor(post(urlPathEqualTo(path)).atPriority(5).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .willReturn(json(200, """
                        {"status": 200, "error": false, "message": "OK",
                         "data": {"userId": "{{randomValue length=7 type='NUMERIC'}}", "token": "{{randomValue length=40 type='ALPHANUMERIC'}}"}}""")
                        .withTransformers("response-template")));
        server.stubFor(post(urlPathEqualTo(path)).atPriority(3).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(matchingJsonPath("$.phone", matching(".*409")))
                .willReturn(json(200, "{\"status\": 409, \"error\": true, \"message\": \"Số điện thoại đã được đăng ký\", \"data\": null}")));
    }
}
