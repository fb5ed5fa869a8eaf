package vn.onboardinghub.providers.ghtk;

import com.github.tomakehurst.wiremock.WireMockServer;
import vn.onboardinghub.providers.ProviderSandbox;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static vn.onboardinghub.providers.ProviderSandbox.json;

/**
 * GHTK as documented: a wrong partner {@code Token} gets 401 {@code 20101}; password {@code wrong-password}
 * gets "Dữ liệu đăng nhập không hợp lệ"; an email starting with {@code no-permission} gets the B2C permission
 * error; an email starting with {@code error500} gets 500 {@code 10101}; anything else gets a shop token.
 */
public class GhtkSandbox implements ProviderSandbox {
    static final String TOKEN = "sandbox-ghtk-token";
    static final String CLIENT_SOURCE = "sandbox";

    @Override
    public Map<String, String> credentials() {
        return Map.of(GhtkAdapter.TOKEN_SETTING, TOKEN, GhtkAdapter.CLIENT_SOURCE_SETTING, CLIENT_SOURCE);
    }

    @Override
    public void register(WireMockServer server, String prefix) {
        String path = prefix + GhtkAdapter.PATH;
        server.stubFor(post(urlPathEqualTo(path)).atPriority(10)
                .willReturn(json(401, "{\"success\": false, \"message\": \"Cần cung cấp token hợp lệ\", \"error_code\": 20101, \"log_id\": \"sandbox\"}")));
        server.stubFor(post(urlPathEqualTo(path)).atPriority(5).withHeader("Token", equalTo(TOKEN))
                .willReturn(json(200, """
                        {"success": true, "message": "Thành công",
                         "data": {"code": "S{{randomValue length=6 type='NUMERIC'}}", "token": "{{randomValue length=40 type='ALPHANUMERIC'}}"}}""")
                        .withTransformers("response-template")));
        server.stubFor(post(urlPathEqualTo(path)).atPriority(3).withHeader("Token", equalTo(TOKEN))
                .withRequestBody(matchingJsonPath("$.password", equalTo("wrong-password")))
                .willReturn(json(200, "{\"success\": false, \"message\": \"" + GhtkAdapter.WRONG_LOGIN + "\"}")));
        server.stubFor(post(urlPathEqualTo(path)).atPriority(3).withHeader("Token", equalTo(TOKEN))
                .withRequestBody(matchingJsonPath("$.email", matching("no-permission.*")))
                .willReturn(json(200, "{\"success\": false, \"message\": \"" + GhtkAdapter.NO_PERMISSION + "\"}")));
        server.stubFor(post(urlPathEqualTo(path)).atPriority(3).withHeader("Token", equalTo(TOKEN))
                .withRequestBody(matchingJsonPath("$.email", matching("error500.*")))
                .willReturn(json(500, "{\"success\": false, \"message\": \"Đã có lỗi xảy ra!\", \"error_code\": 10101, \"log_id\": \"sandbox\"}")));
    }

}
