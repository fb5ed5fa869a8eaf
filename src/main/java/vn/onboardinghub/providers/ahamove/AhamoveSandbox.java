package vn.onboardinghub.providers.ahamove;

import com.github.tomakehurst.wiremock.WireMockServer;
import vn.onboardinghub.providers.ProviderSandbox;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;

/**
 * Ahamove as documented: 200 with tokens; 404 for an unknown api_key or parent_id. A phone ending in
 * 401, 403, 409, 429, 500 or 503 gets that documented error; parent_id {@code missing} gets 404.
 */
public class AhamoveSandbox implements ProviderSandbox {
    static final String API_KEY = "sandbox-ahamove-key";

    @Override
    public Map<String, String> credentials() {
        return Map.of(AhamoveAdapter.API_KEY_SETTING, API_KEY);
    }

    @Override
    public void register(WireMockServer server, String prefix) {
        String path = prefix + AhamoveAdapter.PATH;
        server.stubFor(get(urlPathEqualTo(path)).atPriority(10)
                .willReturn(error(404, "NOT_FOUND", "Không tìm thấy api_key")));
        server.stubFor(get(urlPathEqualTo(path)).atPriority(5)
                .withQueryParam("api_key", equalTo(API_KEY))
                .withQueryParam("mobile", matching("84\\d{9,10}"))
                .withQueryParam("name", matching(".+"))
                .willReturn(okJson("""
                        {"token": "{{randomValue length=36 type='ALPHANUMERIC'}}.{{randomValue length=64 type='ALPHANUMERIC'}}.{{randomValue length=43 type='ALPHANUMERIC'}}",
                         "refresh_token": "{{randomValue length=32 type='HEXADECIMAL'}}"}""")
                        .withTransformers("response-template")));
        server.stubFor(get(urlPathEqualTo(path)).atPriority(4)
                .withQueryParam("api_key", equalTo(API_KEY))
                .withQueryParam("parent_id", equalTo("missing"))
                .willReturn(error(404, "NOT_FOUND", "Không tìm thấy parent_id")));
        byPhoneSuffix(server, path, "401", error(401, "NOT_AUTHORIZED", "Not authorized. Tài khoản hiện tại không thuộc Đối tác này"));
        byPhoneSuffix(server, path, "403", error(403, "FORBIDDEN", "Tài khoản đã bị khóa"));
        byPhoneSuffix(server, path, "409", error(409, "CONFLICT", "Email đã tồn tại"));
        byPhoneSuffix(server, path, "429", error(429, "TOO_MANY_REQUESTS", "Too many requests").withHeader("Retry-After", "1"));
        byPhoneSuffix(server, path, "500", error(500, "INTERNAL_SERVER_ERROR", "Hệ thống của chúng tôi có lỗi xảy ra. Xin thử lại sau"));
        byPhoneSuffix(server, path, "503", error(503, "SERVICE_UNAVAILABLE", "Chúng tôi tạm thời đang không hoạt động để bảo trì. Xin vui lòng thử lại sau"));
    }

    private static void byPhoneSuffix(WireMockServer server, String path, String suffix,
                                      com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder response) {
        server.stubFor(get(urlPathEqualTo(path)).atPriority(3)
                .withQueryParam("api_key", equalTo(API_KEY))
                .withQueryParam("mobile", matching("\\d*" + suffix))
                .willReturn(response));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String title, String description) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"title\": \"" + title + "\", \"description\": \"" + description + "\"}");
    }
}
