package vn.onboardinghub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several systems calling one hub: each named client sees only its own onboardings (an id of another's is answered
 * like an unknown one), its requestIds and the credentials stored for its merchants are its own, a read-all client
 * sees everything, keys can be rotated, and one client over its rate limit does not slow another.
 */
class ApiClientsTest {
    static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    static final String GHTK = "/ghtk/services/shops/token";
    static final ObjectMapper MAPPER = new ObjectMapper();
    static WireMockServer provider;
    static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        Map<String, String> props = TestHub.providersAt(provider.baseUrl());
        props.put("hub.api.clients.erp.keys", "erp-old-key, sha256:" + sha256("erp-new-key"));
        props.put("hub.api.clients.sales.keys", "sales-key");
        props.put("hub.api.clients.burst.keys", "burst-key");
        props.put("hub.api.clients.burst.rate-limit", "3");
        props.put("hub.api.clients.ops.keys", "ops-key");
        props.put("hub.api.clients.ops.read-all", "true");
        hub = TestHub.start(props);
    }

    @AfterEach
    void reset() {
        provider.resetAll();
    }

    @AfterAll
    static void stop() {
        hub.close();
        provider.stop();
    }

    @Test
    void aClientSeesOnlyItsOwnOnboardingsAndAnotherClientsIdIsAnsweredLikeAnUnknownOne() throws Exception {
        stubAhamove("tok-erp");
        JsonNode erps = onboard("erp-old-key", request("M-OWN-1", "0912345678", null));
        String id = erps.path("onboardingId").asText();
        assertThat(erps.path("client").asText()).as("the audit field").isEqualTo("erp");

        HttpResponse<String> own = hub.get("/api/v1/onboardings/" + id, "erp-new-key");
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(json(own.body()).path("client").asText()).isEqualTo("erp");

        HttpResponse<String> others = hub.get("/api/v1/onboardings/" + id, "sales-key");
        HttpResponse<String> guessed = hub.get("/api/v1/onboardings/" + UUID.randomUUID(), "sales-key");
        assertThat(others.statusCode()).isEqualTo(404);
        assertThat(guessed.statusCode()).isEqualTo(404);
        assertThat(json(others.body()).at("/error/code").asText()).isEqualTo(json(guessed.body()).at("/error/code").asText());
        assertThat(others.body()).doesNotContain("tok-erp");

        assertThat(hub.get("/api/v1/onboardings/" + id, "ops-key").statusCode()).as("read-all").isEqualTo(200);
        assertThat(hub.get("/api/v1/onboardings/" + id, TestHub.API_KEY).statusCode()).as("hub.api.keys reads all").isEqualTo(200);
    }

    @Test
    void batchesAreListedOnlyForClientsThatReadAll() throws Exception {
        HttpResponse<String> refused = hub.get("/api/v1/batches", "erp-old-key");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused.body()).at("/error/code").asText()).isEqualTo("FORBIDDEN");
        assertThat(hub.get("/api/v1/batches", "ops-key").statusCode()).isEqualTo(200);
    }

    @Test
    void storedCredentialsGoOnlyToTheClientThatGotThemAndOnlyForTheSameAccountInputs() throws Exception {
        stubAhamove("tok-victim");
        stubGhtkSuccess("ghtk-victim");
        String victim = request("M-VICTIM", "0912000111", "right-password");
        JsonNode first = onboard("erp-old-key", victim);
        assertThat(first.at("/results/ghtk/credentials/token").asText()).isEqualTo("ghtk-victim");

        // another client asking for the same merchant: the providers are asked, nothing stored is handed out
        provider.resetAll();
        stubAhamove("tok-other");
        stubGhtkWrongPassword();
        JsonNode byOther = onboard("sales-key", request("M-VICTIM", "0912000111", "right-password"));
        assertThat(byOther.at("/results/ahamove/attempts").asInt()).isEqualTo(1);
        assertThat(byOther.at("/results/ahamove/credentials/token").asText()).isEqualTo("tok-other");
        assertThat(byOther.toString()).doesNotContain("tok-victim").doesNotContain("ghtk-victim");

        // the same client with a wrong GHTK password and another phone: asked again, the wrong password fails at GHTK
        JsonNode wrongInputs = onboard("erp-old-key", request("M-VICTIM", "0988777666", "wrong-password"));
        assertThat(wrongInputs.at("/results/ghtk/status").asText()).isEqualTo("FAILED");
        assertThat(wrongInputs.at("/results/ghtk/error/code").asText()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(wrongInputs.toString()).doesNotContain("tok-victim").doesNotContain("ghtk-victim");
        assertThat(provider.findAll(postRequestedFor(urlPathEqualTo(GHTK)))).hasSize(2);

        // the same client with the same inputs: the stored credentials, no call
        provider.resetAll();
        JsonNode again = onboard("erp-new-key", victim);
        assertThat(again.at("/results/ghtk/credentials/token").asText()).isEqualTo("ghtk-victim");
        assertThat(again.at("/results/ghtk/attempts").asInt()).isZero();
        assertThat(again.at("/results/ahamove/credentials/token").asText()).isEqualTo("tok-victim");
        assertThat(provider.findAll(anyRequestedFor(anyUrl()))).isEmpty();

        // nothing of it in plain text on disk: not the credentials, not the GHTK password, not a client's key
        try (var files = Files.walk(hub.dataDir())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain("tok-victim", "ghtk-victim", "right-password", "erp-old-key", "sales-key");
            }
        }
    }

    @Test
    void merchantIdsAreComparedAfterUnicodeNormalization() throws Exception {
        stubAhamove("tok-wide");
        JsonNode first = onboard("erp-old-key", request("M-WIDE", "0912000333", null));
        provider.resetAll();
        // full-width letters, a zero-width space, surrounding blanks: the same merchant
        JsonNode same = onboard("erp-old-key", request(" \uFF2D-WIDE\u200B ", "0912000333", null));
        assertThat(same.path("externalId").asText()).isEqualTo("M-WIDE");
        assertThat(same.at("/results/ahamove/attempts").asInt()).isZero();
        assertThat(same.at("/results/ahamove/credentials/token").asText())
                .isEqualTo(first.at("/results/ahamove/credentials/token").asText());

        assertThat(provider.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    }

    @Test
    void aRequestIdIsScopedToItsClient() throws Exception {
        stubAhamove("tok-1");
        String body = "{\"requestId\": \"order-42\", " + request("M-REQ", "0912000222", null).substring(1);
        JsonNode erp = onboard("erp-old-key", body);
        JsonNode sales = onboard("sales-key", body);
        assertThat(sales.path("onboardingId").asText()).isNotEqualTo(erp.path("onboardingId").asText());
        assertThat(sales.path("client").asText()).isEqualTo("sales");
        JsonNode erpAgain = onboard("erp-new-key", body);
        assertThat(erpAgain.path("onboardingId").asText()).as("the same client's requestId: once")
                .isEqualTo(erp.path("onboardingId").asText());
    }

    @Test
    void aClientOverItsRateLimitGets429WithRetryAfterWhileAnotherIsUnaffected() throws Exception {
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(hub.get("/api/v1/onboardings/" + UUID.randomUUID(), "burst-key"));
        }
        HttpResponse<String> limited = answers.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow(
                () -> new AssertionError("no 429 among " + answers.stream().map(HttpResponse::statusCode).toList()));
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 1L);
        assertThat(json(limited.body()).at("/error/code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(answers.stream().filter(r -> r.statusCode() == 404)).as("within the limit").hasSizeGreaterThanOrEqualTo(3);

        for (int i = 0; i < 8; i++) {
            assertThat(hub.get("/api/v1/onboardings/" + UUID.randomUUID(), "erp-old-key").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void anApiKeyInTheUrlIsRefusedEvenWhenItIsValid() throws Exception {
        HttpResponse<String> inQuery = hub.get("/api/v1/batches?X-API-Key=ops-key", null);
        assertThat(inQuery.statusCode()).isEqualTo(401);
        assertThat(json(inQuery.body()).at("/error/message").asText()).contains("X-API-Key header");
        assertThat(hub.get("/api/v1/batches?api_key=ops-key", "ops-key").statusCode()).isEqualTo(401);
    }

    private static void stubAhamove(String token) {
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"" + token + "\", \"refresh_token\": \"r\"}")));
    }

    private static void stubGhtkSuccess(String token) {
        provider.stubFor(post(urlPathEqualTo(GHTK)).willReturn(okJson(
                "{\"success\": true, \"message\": \"Thành công\", \"data\": {\"code\": \"S1\", \"token\": \"" + token + "\"}}")));
    }

    private static void stubGhtkWrongPassword() {
        provider.stubFor(post(urlPathEqualTo(GHTK)).willReturn(okJson(
                "{\"success\": false, \"message\": \"Dữ liệu đăng nhập không hợp lệ\"}")));
    }

    /** Ahamove (and GHTK when a password is given) for one merchant. */
    private static String request(String externalId, String phone, String ghtkPassword) {
        return "{\"merchant\": {\"externalId\": \"" + externalId + "\", \"name\": \"Shop\", \"phone\": \"" + phone + "\","
                + " \"email\": \"shop@example.vn\"}, \"providers\": [\"ahamove\"" + (ghtkPassword == null ? "" : ", \"ghtk\"") + "]"
                + (ghtkPassword == null ? "" : ", \"ghtk\": {\"password\": \"" + ghtkPassword + "\"}") + "}";
    }

    private static JsonNode onboard(String apiKey, String body) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", body, apiKey);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response.body());
    }

    private static JsonNode json(String body) throws Exception {
        return MAPPER.readTree(body);
    }

    static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
