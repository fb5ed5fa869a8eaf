package vn.onboardinghub.page;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;
import vn.onboardinghub.ops.CapturedLogs;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The merchant page behind a merchant link ({@code GET /m/<token>}, docs/contract.md "Merchant links"), through HTTP
 * against the real hub in sandbox mode, as the merchant's browser uses it.
 */
@WithHub({"hub.sandbox.enabled=true", "hub.api.keys="})
class MerchantPageTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String KEY = "sandbox";
    static final String AFTER_ITS = "https://merchant.example/after-its";
    static final String NAME = "<script>alert(1)</script> Cửa hàng Hoa";
    static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static TestHub hub;

    @Test
    void thePageListsEveryProviderInPlainVietnameseWithOneWayOnEach() throws Exception {
        JsonNode result = onboardItsSocdoAndFailingAhamove("page-vi");
        HttpResponse<String> page = open(pageUrl(result), Map.of());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertSecurityHeaders(page);
        String html = page.body();
        assertThat(html).contains("<html lang=\"vi\">", "Kết nối cửa hàng của bạn");
        // the name is shown as text, never as markup
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt; Cửa hàng Hoa").doesNotContain("<script");

        // what is left to do comes first
        assertThat(html.indexOf("data-provider=\"its\"")).isLessThan(html.indexOf("data-provider=\"ahamove\""));
        assertThat(html.indexOf("data-provider=\"socdo\"")).isLessThan(html.indexOf("data-provider=\"ahamove\""));
        String its = row(html, "its");
        assertThat(its).contains("data-state=\"todo\"", "Cần bạn thực hiện", "Kết nối với ITS");
        assertThat(button(its)).isEqualTo(token(result) + "/its");
        String socdo = row(html, "socdo");
        assertThat(socdo).contains("data-state=\"todo\"", "data-instructions=\"socdo\"",
                "Mở mini app Socdo trong Zalo", "Tài khoản Zalo đã được đăng ký. Vui lòng đăng nhập.");
        assertThat(socdo).doesNotContain("class=\"button\"");
        String ahamove = row(html, "ahamove");
        assertThat(ahamove).contains("data-state=\"failed\"", "Chưa hoàn tất",
                "Công ty đã gửi cho bạn đường link này sẽ liên hệ với bạn.").doesNotContain("href");
        // nothing internal: no error code, provider status or raw answer of the failed provider
        assertThat(html).doesNotContain("ACCOUNT_LOCKED", "ALREADY_REGISTERED", "403", "409", result.path("onboardingId").asText());
    }

    @Test
    void thePageIsInEnglishOnRequest() throws Exception {
        JsonNode result = onboardItsSocdoAndFailingAhamove("page-en");
        HttpResponse<String> asked = open(pageUrl(result) + "?lang=en", Map.of());
        HttpResponse<String> preferred = open(pageUrl(result), Map.of("Accept-Language", "en-GB,en;q=0.9,vi;q=0.5"));
        HttpResponse<String> vietnameseFirst = open(pageUrl(result), Map.of("Accept-Language", "vi-VN,vi;q=0.9,en;q=0.8"));

        for (HttpResponse<String> page : List.of(asked, preferred)) {
            assertSecurityHeaders(page);
            String html = page.body();
            assertThat(html).contains("<html lang=\"en\">", "Connect your shop", "&lt;script&gt;alert(1)&lt;/script&gt;");
            assertThat(row(html, "its")).contains("To do", "Connect to ITS");
            assertThat(row(html, "socdo")).contains("Open the Socdo mini app in Zalo", "Socdo says:",
                    "Tài khoản Zalo đã được đăng ký. Vui lòng đăng nhập.");
            assertThat(row(html, "ahamove")).contains("Not completed", "The company that sent you this link will contact you.");
        }
        assertThat(button(row(asked.body(), "its"))).isEqualTo(token(result) + "/its?lang=en");
        assertThat(vietnameseFirst.body()).contains("<html lang=\"vi\">", "Kết nối với ITS");
    }

    @Test
    void theStyleSheetIsThePageOwnAndTheOnlyThingThePolicyAllows() throws Exception {
        JsonNode result = onboardItsSocdoAndFailingAhamove("page-css");
        HttpResponse<String> page = open(pageUrl(result), Map.of());
        Matcher style = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL).matcher(page.body());
        assertThat(style.find()).isTrue();
        String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(style.group(1).getBytes(StandardCharsets.UTF_8)));
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("style-src 'sha256-" + hash + "'");
        // mobile first: the viewport follows the device, and nothing is loaded from elsewhere
        assertThat(page.body()).contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .doesNotContain("<link", "<img", "<iframe", "http://", "https://");
    }

    @Test
    void theItsButtonAsksItsForAFreshAuthorizationAndTheCallbackComesBackToThePage() throws Exception {
        double started = metric("hub_merchant_actions_started_total", "provider=\"its\"");
        double completed = metric("hub_merchant_actions_completed_total", "provider=\"its\"");
        JsonNode result = onboardItsSocdoAndFailingAhamove("page-its");
        String id = result.path("onboardingId").asText();
        String pageUrl = pageUrl(result);

        HttpResponse<String> pressed = open(hub.url("/m/" + button(row(open(pageUrl, Map.of()).body(), "its"))), Map.of());

        assertThat(pressed.statusCode()).isEqualTo(303);
        assertSecurityHeaders(pressed);
        String authUrl = pressed.headers().firstValue("Location").orElseThrow();
        assertThat(authUrl).contains("/its/login?redirect_url=").isNotEqualTo(result.at("/results/its/action/url").asText());
        assertThat(authUrl).doesNotContain(token(result));
        JsonNode stored = MAPPER.readTree(hub.get("/api/v1/onboardings/" + id, KEY).body());
        assertThat(stored.at("/results/its/action/url").asText()).as("the fresh authorization is the result's").isEqualTo(authUrl);

        // the sandbox logs the shop in and sends the browser to the hub's callback, which sends it back to the page
        HttpResponse<String> login = open(authUrl, Map.of());
        HttpResponse<String> callback = open(login.headers().firstValue("Location").orElseThrow(), Map.of());
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
        assertThat(callback.headers().firstValue("Location")).hasValue(pageUrl);

        String html = open(pageUrl, Map.of()).body();
        assertThat(row(html, "its")).contains("data-state=\"done\"", "Đã xong", "data-continue=\"its\"",
                "href=\"" + AFTER_ITS + "\"", "Tiếp tục").doesNotContain("data-action");
        assertThat(row(html, "socdo")).contains("data-state=\"todo\"");
        JsonNode after = MAPPER.readTree(hub.get("/api/v1/onboardings/" + id, KEY).body());
        assertThat(after.at("/results/its/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(after.at("/results/its/credentials/shopId").asText()).isNotEmpty();
        assertThat(metric("hub_merchant_actions_started_total", "provider=\"its\"")).isEqualTo(started + 1);
        assertThat(metric("hub_merchant_actions_completed_total", "provider=\"its\"")).isEqualTo(completed + 1);
        assertThat(metric("hub_merchant_links_opened_total", "outcome=\"shown\"")).isPositive();

        // pressed again once done: nothing to start, back to the page
        HttpResponse<String> again = open(pageUrl + "/its", Map.of());
        assertThat(again.statusCode()).isEqualTo(303);
        assertThat(again.headers().firstValue("Location")).hasValue(pageUrl);
    }

    @Test
    void withNothingLeftToDoThePageSaysAllSet() throws Exception {
        JsonNode result = onboard("page-all-set", "0912345678", "\"providers\": [\"ahamove\", \"its\"], \"its\": {\"redirectUrl\": \""
                + AFTER_ITS + "\"}");
        String pageUrl = pageUrl(result);
        assertThat(open(pageUrl, Map.of()).body()).contains("data-state=\"todo\"");
        HttpResponse<String> pressed = open(pageUrl + "/its?lang=en", Map.of());
        HttpResponse<String> login = open(pressed.headers().firstValue("Location").orElseThrow(), Map.of());
        open(login.headers().firstValue("Location").orElseThrow(), Map.of());

        HttpResponse<String> page = open(pageUrl + "?lang=en", Map.of());
        assertThat(page.body()).contains("id=\"merchant-page\" data-state=\"all-set\"", "You are all set", "Continue");
        assertThat(row(page.body(), "ahamove")).contains("data-state=\"done\"", "Done");
    }

    @Test
    void theRawAuthorizationLinkStillEndsAtTheCallersRedirectUrl() throws Exception {
        JsonNode result = onboardItsSocdoAndFailingAhamove("page-raw");
        HttpResponse<String> login = open(result.at("/results/its/action/url").asText(), Map.of());
        HttpResponse<String> callback = open(login.headers().firstValue("Location").orElseThrow(), Map.of());
        assertThat(callback.statusCode()).isEqualTo(302);
        assertThat(callback.headers().firstValue("Location")).hasValue(AFTER_ITS);
    }

    @Test
    void everyBadLinkGetsTheSamePlainPageAndNoTokenIsLogged() throws Exception {
        List<String> tokens = new ArrayList<>();
        Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
        double refused = metric("hub_merchant_links_opened_total", "outcome=\"refused\"");
        try (CapturedLogs logs = CapturedLogs.capture()) {
            JsonNode live = onboardItsSocdoAndFailingAhamove("page-bad-live");
            String good = token(live);
            tokens.add(good);
            String id = good.substring(0, 22);
            String signature = good.substring(23);
            answers.put("tampered", open(hub.url("/m/" + id + "." + flip(signature, 0)), Map.of()));
            answers.put("re-encoded", open(hub.url("/m/" + id + "." + reencoded(signature)), Map.of()));
            answers.put("padded", open(hub.url("/m/" + good + "=="), Map.of()));
            answers.put("truncated", open(hub.url("/m/" + good.substring(0, 44)), Map.of()));
            answers.put("unknown", open(hub.url("/m/" + flip(id, 3) + "." + signature), Map.of()));
            answers.put("garbage", open(hub.url("/m/%3Cscript%3E"), Map.of()));
            answers.put("tampered button", open(hub.url("/m/" + id + "." + flip(signature, 5) + "/its"), Map.of()));

            JsonNode expired = onboardItsSocdoAndFailingAhamove("page-bad-expired");
            tokens.add(token(expired));
            expire(token(expired).substring(0, 22));
            answers.put("expired", open(pageUrl(expired), Map.of()));
            answers.put("expired button", open(pageUrl(expired) + "/its", Map.of()));

            JsonNode revoked = onboardItsSocdoAndFailingAhamove("page-bad-revoked");
            tokens.add(token(revoked));
            assertThat(BROWSER.send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/onboardings/"
                            + revoked.path("onboardingId").asText() + "/merchant-link"))).header("X-API-Key", KEY).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(204);
            answers.put("revoked", open(pageUrl(revoked), Map.of()));

            // the good one still works, and its ITS button too (a token in a URL ITS sees would leak it)
            HttpResponse<String> pressed = open(pageUrl(live) + "/its", Map.of());
            assertThat(pressed.statusCode()).isEqualTo(303);
            // and the way back: ITS's login, the hub's callback (its redirect names the page), the page
            HttpResponse<String> login = open(pressed.headers().firstValue("Location").orElseThrow(), Map.of());
            HttpResponse<String> callback = open(login.headers().firstValue("Location").orElseThrow(), Map.of());
            assertThat(callback.headers().firstValue("Location")).hasValue(pageUrl(live));
            assertThat(open(pageUrl(live), Map.of()).statusCode()).isEqualTo(200);

            String plain = answers.get("tampered").body();
            answers.forEach((kind, answer) -> {
                assertThat(answer.statusCode()).as(kind).isEqualTo(404);
                assertSecurityHeaders(answer);
                assertThat(answer.body()).as(kind).isEqualTo(plain);
            });
            assertThat(plain).contains("id=\"merchant-page-error\"", "Không mở được trang này")
                    .doesNotContain("Cửa hàng", "ITS", "Socdo", "onboarding", live.path("onboardingId").asText());
            assertThat(open(hub.url("/m/" + id + "." + flip(signature, 0) + "?lang=en"), Map.of()).body())
                    .contains("This page cannot be opened");
            assertThat(metric("hub_merchant_links_opened_total", "outcome=\"refused\"")).isEqualTo(refused + answers.size() + 1);

            List<String> lines = logs.events().stream().map(CapturedLogs::text).toList();
            assertThat(lines).anyMatch(line -> line.contains("client=merchant-page GET /m/<link> 404"))
                    .anyMatch(line -> line.contains("client=merchant-page GET /m/<link>/its 303"))
                    .anyMatch(line -> line.contains("client=merchant-page GET /m/<link> 200"))
                    .anyMatch(line -> line.contains("GET /api/v1/callbacks/its 302"));
            for (String token : tokens) {
                assertThat(lines).noneMatch(line -> line.contains(token) || line.contains(token.substring(0, 22))
                        || line.contains(token.substring(23)));
            }
        }
    }

    static void assertSecurityHeaders(HttpResponse<String> response) {
        String csp = response.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'")
                .doesNotContain("unsafe", "script-src", "*");
        assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.headers().firstValue("X-Robots-Tag").orElseThrow()).contains("noindex");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    static JsonNode onboardItsSocdoAndFailingAhamove(String requestId) throws Exception {
        // ahamove: a phone ending in 403 fails (ACCOUNT_LOCKED); socdo: a Zalo user ending in 409 must log in
        return onboard(requestId, "0912345403", "\"providers\": [\"ahamove\", \"its\", \"socdo\"], \"socdo\": {\"zaloUserId\": \""
                + requestId + "-409\"}, \"its\": {\"redirectUrl\": \"" + AFTER_ITS + "\"}");
    }

    static JsonNode onboard(String requestId, String phone, String providers) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", "{\"requestId\": \"" + requestId + "\", \"merchant\":"
                + " {\"externalId\": \"" + requestId + "\", \"name\": " + MAPPER.writeValueAsString(NAME) + ", \"phone\": \""
                + phone + "\"}, " + providers + "}", KEY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = MAPPER.readTree(response.body());
        assertThat(result.has("merchantLink")).as(response.body()).isTrue();
        return result;
    }

    static HttpResponse<String> open(String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        headers.forEach(request::header);
        return BROWSER.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String pageUrl(JsonNode result) {
        return result.at("/merchantLink/url").asText();
    }

    static String token(JsonNode result) {
        String url = pageUrl(result);
        return url.substring(url.indexOf("/m/") + 3);
    }

    /** The list item of one provider. */
    static String row(String html, String provider) {
        Matcher m = Pattern.compile("<li [^>]*data-provider=\"" + provider + "\".*?</li>", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("row of " + provider).isTrue();
        return m.group();
    }

    /** The href of the row's start button. */
    static String button(String row) {
        Matcher m = Pattern.compile("<a class=\"button\" href=\"([^\"]+)\"[^>]*data-action=\"start\"").matcher(row);
        assertThat(m.find()).as(row).isTrue();
        return m.group(1).replace("&amp;", "&");
    }

    /** Another base64url character at {@code index}. */
    static String flip(String text, int index) {
        char c = text.charAt(index);
        return text.substring(0, index) + (c == 'A' ? 'B' : 'A') + text.substring(index + 1);
    }

    /** The same 16 bytes with the last character's unused bits set otherwise (22 characters carry 132 bits). */
    static String reencoded(String part) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(part.charAt(part.length() - 1));
        String variant = part.substring(0, part.length() - 1) + alphabet.charAt(last ^ 1);
        assertThat(Base64.getUrlDecoder().decode(variant)).isEqualTo(Base64.getUrlDecoder().decode(part));
        return variant;
    }

    static void expire(String linkId) throws Exception {
        DataSource db = hub.context().getRegistry().lookupByNameAndType("hubDataSource", DataSource.class);
        try (Connection c = db.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE merchant_link SET expires_at = ? WHERE link_id = ?")) {
            update.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(1)));
            update.setString(2, linkId);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    static double metric(String name, String labels) throws Exception {
        String metrics = hub.get(hub.managementUrl("/observe/metrics"), null).body();
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{" + Pattern.quote(labels) + "\\} (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
