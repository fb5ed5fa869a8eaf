package vn.onboardinghub.providers.socdo;

import com.github.tomakehurst.wiremock.WireMockServer;
import vn.onboardinghub.providers.ProviderSandbox;

import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static vn.onboardinghub.providers.ProviderSandbox.json;

/**
 * Socdo as documented: 201 with the new user; 400 without {@code zalo_user_id}/{@code name}; 409 {@code need_login}
 * for a Zalo user id ending in {@code 409}; 401 "Token không hợp lệ" for a wrong Token-Seller or Shop-ID.
 */
public class SocdoSandbox implements ProviderSandbox {
    static final String TOKEN_SELLER = "sandbox-socdo-seller-token";
    static final String SHOP_ID = "23933";

    @Override
    public Map<String, String> credentials() {
        return Map.of(SocdoAdapter.TOKEN_SELLER_SETTING, TOKEN_SELLER, SocdoAdapter.SHOP_ID_SETTING, SHOP_ID);
    }

    @Override
    public void register(WireMockServer server, String prefix) {
        String path = prefix + SocdoAdapter.PATH;
        server.stubFor(post(urlPathEqualTo(path)).atPriority(10)
                .willReturn(json(401, "{\"message\": \"Token không hợp lệ\"}")));
        server.stubFor(post(urlPathEqualTo(path)).atPriority(6)
                .withHeader("Token-Seller", equalTo(TOKEN_SELLER)).withHeader("Shop-ID", equalTo(SHOP_ID))
                .willReturn(json(400, "{\"success\": false, \"message\": \"Vui lòng cung cấp đầy đủ thông tin Zalo (zalo_user_id, name)\"}")));
        server.stubFor(post(urlPathEqualTo(path)).atPriority(5)
                .withHeader("Token-Seller", equalTo(TOKEN_SELLER)).withHeader("Shop-ID", equalTo(SHOP_ID))
                .withRequestBody(matchingJsonPath("$.zalo_user_id", matching(".+")))
                .withRequestBody(matchingJsonPath("$.name", matching(".+")))
                .willReturn(json(201, """
                        {"success": true, "message": "Đăng ký Zalo thành công",
                         "token": "{{randomValue length=36 type='ALPHANUMERIC'}}.{{randomValue length=80 type='ALPHANUMERIC'}}",
                         "data": {"user_id": {{randomInt lower=1000 upper=999999}},
                                  "zalo_user_id": {{{toJson (jsonPath request.body '$.zalo_user_id')}}},
                                  "name": {{{toJson (jsonPath request.body '$.name')}}},
                                  "username": "zalo_{{jsonPath request.body '$.zalo_user_id'}}",
                                  "email": {{{toJson (jsonPath request.body '$.email')}}},
                                  "mobile": {{{toJson (jsonPath request.body '$.mobile')}}},
                                  "avatar": {{{toJson (jsonPath request.body '$.avatar')}}},
                                  "gender": {{{toJson (jsonPath request.body '$.gender')}}},
                                  "user_money": 0, "user_money2": 0, "doitac": "zalo",
                                  "seller_id": 23933, "shop_id": 23933}}""")
                        .withTransformers("response-template")));
        // "}}} }": Handlebars reads "}}}}" right after a triple-stash as a syntax error, so the JSON's closing brace is apart
        server.stubFor(post(urlPathEqualTo(path)).atPriority(4)
                .withHeader("Token-Seller", equalTo(TOKEN_SELLER)).withHeader("Shop-ID", equalTo(SHOP_ID))
                .withRequestBody(matchingJsonPath("$.zalo_user_id", matching(".*409")))
                .withRequestBody(matchingJsonPath("$.name", matching(".+")))
                .willReturn(json(409, """
                        {"success": false, "message": "Tài khoản Zalo đã được đăng ký. Vui lòng đăng nhập.",
                         "need_login": true, "zalo_user_id": {{{toJson (jsonPath request.body '$.zalo_user_id')}}} }""")
                        .withTransformers("response-template")));
    }

}
