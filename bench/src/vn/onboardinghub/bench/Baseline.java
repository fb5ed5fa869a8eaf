package vn.onboardinghub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What a user would write by hand instead of the hub: one {@link HttpClient}, the four provider calls of a merchant
 * sent in parallel (the same calls, headers and bodies the hub sends), each answer parsed for its credentials.
 * No validation, retries, storage, limits or result files: the floor the hub's overhead is measured against.
 */
final class Baseline {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String simulator;

    Baseline(String simulatorBaseUrl) {
        this.simulator = simulatorBaseUrl;
    }

    /** Onboards merchant {@code i} onto the four providers; true when every provider answered its success. */
    boolean onboard(String run, long i) throws Exception {
        HttpRequest[] calls = calls(run, i);
        CompletableFuture<HttpResponse<String>> a = http.sendAsync(calls[0], HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> g = http.sendAsync(calls[1], HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> s = http.sendAsync(calls[2], HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> t = http.sendAsync(calls[3], HttpResponse.BodyHandlers.ofString());
        CompletableFuture.allOf(a, g, s, t).join();
        JsonNode aj = JSON.readTree(a.join().body());
        JsonNode gj = JSON.readTree(g.join().body());
        JsonNode sj = JSON.readTree(s.join().body());
        JsonNode tj = JSON.readTree(t.join().body());
        return a.join().statusCode() == 200 && aj.hasNonNull("token")
                && gj.path("success").asBoolean() && gj.path("data").hasNonNull("token")
                && s.join().statusCode() == 201 && sj.hasNonNull("token")
                && "shop_request".equals(tj.path("type").asText()) && tj.hasNonNull("auth_url");
    }

    /** One provider call alone (call {@code i % 4} of merchant {@code i / 4}), for the simulator ceiling; true on a 2xx. */
    boolean singleCall(String run, long i) throws Exception {
        HttpResponse<String> response = http.send(calls(run, i / 4)[(int) (i % 4)], HttpResponse.BodyHandlers.ofString());
        return response.statusCode() / 100 == 2;
    }

    /** Merchant {@code i}'s four calls: Ahamove, GHTK, Socdo, ITS AuthorizeShop. */
    HttpRequest[] calls(String run, long i) throws Exception {
        String phone = Merchants.phone(i);
        String international = "84" + phone.substring(1);
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("api_key", Simulators.AHAMOVE_API_KEY);
        query.put("mobile", international);
        query.put("name", Merchants.name(i));
        query.put("address", Merchants.address(i));
        query.put("lat", Merchants.LAT);
        query.put("lng", Merchants.LNG);
        query.put("email", Merchants.email(run, i));
        StringBuilder qs = new StringBuilder();
        query.forEach((k, v) -> qs.append(qs.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8)));
        HttpRequest ahamove = HttpRequest.newBuilder(URI.create(simulator + "/ahamove/v1/partner/register_account?" + qs))
                .timeout(Duration.ofSeconds(15)).GET().build();

        HttpRequest ghtk = post("/ghtk/services/shops/token", Map.<String, Object>of("email", Merchants.email(run, i), "password", Merchants.GHTK_PASSWORD),
                "Token", Simulators.GHTK_TOKEN, "X-Client-Source", Simulators.GHTK_CLIENT_SOURCE);

        Map<String, Object> socdoBody = new LinkedHashMap<>();
        socdoBody.put("zalo_user_id", Merchants.zaloUserId(i));
        socdoBody.put("name", Merchants.name(i));
        socdoBody.put("email", Merchants.email(run, i));
        socdoBody.put("mobile", phone);
        HttpRequest socdo = post("/socdo/mini-app/v1/register", socdoBody,
                "Token-Seller", Simulators.SOCDO_TOKEN_SELLER, "Shop-ID", Simulators.SOCDO_SHOP_ID);

        Map<String, Object> itsBody = new LinkedHashMap<>();
        itsBody.put("email", Merchants.email(run, i));
        itsBody.put("phone", phone);
        itsBody.put("name", Merchants.name(i));
        itsBody.put("redirect_url", "http://localhost:8080/api/v1/callbacks/its?state=" + Merchants.externalId(run, i));
        HttpRequest its = post("/its/v1/partner.Shop/AuthorizeShop", itsBody, "Authorization", "Bearer " + Simulators.ITS_API_KEY);

        return new HttpRequest[]{ahamove, ghtk, socdo, its};
    }

    private HttpRequest post(String path, Map<String, Object> body, String... headers) throws Exception {
        return HttpRequest.newBuilder(URI.create(simulator + path)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").headers(headers)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    }
}
