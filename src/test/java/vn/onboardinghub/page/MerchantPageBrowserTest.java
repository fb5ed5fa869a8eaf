package vn.onboardinghub.page;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import vn.onboardinghub.TestBrowser;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.providers.its.ItsSandbox;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Properties;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The merchant page in a real (headless) Chromium, as a merchant meets it days after the onboarding: ITS and Socdo
 * {@code LOGIN} wait, the ITS link in the result has long expired, and the page's ITS button still finishes ITS. In
 * Vietnamese and English, on a 360 px phone and a desktop. Screenshots go to {@code target/screenshots/}.
 */
class MerchantPageBrowserTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** ITS links of the simulator expire this fast here, so the test can outlive one. */
    static final int ITS_LINK_SECONDS = 10;
    static final String MERCHANT_AFTER_ITS = "https://merchant.example/after-its";
    static WireMockServer providers;
    static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        providers = new WireMockServer(options().dynamicPort());
        providers.start();
        for (ProviderAdapter provider : new ProviderCatalog(MAPPER).all()) {
            (provider.name().equals("its") ? new ItsSandbox(ITS_LINK_SECONDS) : provider.sandbox())
                    .register(providers, "/" + provider.name());
        }
        hub = TestHub.start(TestHub.providersAt(providers.baseUrl()));
    }

    @AfterAll
    static void stop() {
        hub.close();
        providers.stop();
    }

    @Test
    void aMerchantFinishesItsFromThePageLongAfterTheItsLinkExpired() throws Exception {
        JsonNode result = onboard("page-1", "Nguyễn Văn A");
        assertThat(result.at("/results/its/action/type").asText()).isEqualTo("AUTHORIZE");
        assertThat(result.at("/results/socdo/action/type").asText()).isEqualTo("LOGIN");
        String link = result.at("/merchantLink/url").asText();
        // the ITS link of the result has expired: ITS no longer logs the shop in through it
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        URI original = URI.create(result.at("/results/its/action/url").asText());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
                http.send(HttpRequest.newBuilder(original).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(410));

        try (TestBrowser phone = TestBrowser.phone(360, 780, "vi-VN,vi")) {
            // a phone set to Vietnamese
            WebDriver page = phone.driver();
            page.get(link);
            phone.await().until(ExpectedConditions.presenceOfElementLocated(By.id("merchant-page")));
            phone.screenshot("merchant-page-vi-360");
            assertThat(((Number) ((JavascriptExecutor) page).executeScript("return window.innerWidth")).intValue()).isEqualTo(360);
            assertThat(page.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("vi");
            assertThat(page.findElement(By.id("heading")).getText()).isEqualTo(text("", "page.title"));
            assertThat(page.findElement(By.id("merchant-name")).getText()).isEqualTo("Nguyễn Văn A");
            assertThat(row(page, "ahamove").getAttribute("data-state")).isEqualTo("done");
            assertThat(row(page, "socdo").getAttribute("data-state")).isEqualTo("todo");
            assertThat(row(page, "socdo").findElement(By.cssSelector("[data-instructions=socdo]")).getText()).isNotBlank();
            assertThat(row(page, "its").getAttribute("data-state")).isEqualTo("todo");
            WebElement itsButton = row(page, "its").findElement(By.cssSelector("a[data-action=start]"));
            assertThat(itsButton.getText()).isEqualTo(text("", "row.start").replace("{0}", "ITS"));
            assertThat(itsButton.getRect().getX() + itsButton.getRect().getWidth()).as("the button fits the phone")
                    .isLessThanOrEqualTo(360);
            assertThat(((Number) ((JavascriptExecutor) page).executeScript("return document.documentElement.scrollWidth")).intValue())
                    .as("nothing wider than the phone").isLessThanOrEqualTo(360);
        }

        try (TestBrowser desktop = TestBrowser.open(1280, 900, "vi-VN,vi")) {
            // a desktop, English asked for on the page
            WebDriver page = desktop.driver();
            page.get(link);
            desktop.await().until(ExpectedConditions.presenceOfElementLocated(By.id("lang-en"))).click();
            desktop.await().until(d -> "en".equals(d.findElement(By.tagName("html")).getAttribute("lang")));
            desktop.screenshot("merchant-page-en-desktop");
            assertThat(page.findElement(By.id("heading")).getText()).isEqualTo(text("_en", "page.title"));
            assertThat(row(page, "socdo").findElement(By.cssSelector(".state")).getText()).isEqualTo(text("_en", "state.todo"));

            // the ITS button asks ITS for a fresh authorization now; ITS logs the shop in and sends the browser back
            // through the hub's callback to this page
            row(page, "its").findElement(By.cssSelector("a[data-action=start]")).click();
            desktop.await().until(d -> d.findElements(By.cssSelector("li.provider[data-provider=its][data-state=done]")).size() == 1);
            desktop.screenshot("merchant-page-its-done");
            assertThat(page.getCurrentUrl()).startsWith(link);
            assertThat(row(page, "socdo").getAttribute("data-state")).isEqualTo("todo");
            assertThat(row(page, "its").findElement(By.cssSelector("[data-continue=its]")).getAttribute("href"))
                    .isEqualTo(MERCHANT_AFTER_ITS);
        }

        JsonNode after = MAPPER.readTree(hub.get("/api/v1/onboardings/" + result.path("onboardingId").asText()).body());
        assertThat(after.at("/results/its/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(after.at("/results/its/credentials/shopId").asText()).isNotBlank();
        assertThat(after.at("/results/socdo/status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(after.at("/merchantLink/url").asText()).as("Socdo still waits").isEqualTo(link);
    }

    @Test
    void aTamperedReencodedExpiredOrRevokedLinkShowsAPlainErrorAndNoData() throws Exception {
        JsonNode result = onboard("page-2", "Cửa hàng Bí Mật");
        String link = result.at("/merchantLink/url").asText();
        String token = link.substring(link.indexOf("/m/") + 3);
        String reencoded = reencoded(token);
        String tampered = token.substring(0, 30) + (token.charAt(30) == 'A' ? 'B' : 'A') + token.substring(31);

        try (TestBrowser browser = TestBrowser.open(360, 780)) {
            WebDriver page = browser.driver();
            page.get(link);
            browser.await().until(ExpectedConditions.presenceOfElementLocated(By.id("merchant-page")));
            for (String bad : new String[]{tampered, reencoded}) {
                assertPlainError(browser, hub.url("/m/" + bad));
            }
            browser.screenshot("merchant-page-bad-link");

            expire(token);
            assertPlainError(browser, link);

            HttpResponse<String> renewed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hub.url(
                    "/api/v1/onboardings/" + result.path("onboardingId").asText() + "/merchant-link")))
                    .header("X-API-Key", TestHub.API_KEY).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            String next = MAPPER.readTree(renewed.body()).path("url").asText();
            page.get(next);
            browser.await().until(ExpectedConditions.presenceOfElementLocated(By.id("merchant-page")));
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/onboardings/"
                    + result.path("onboardingId").asText() + "/merchant-link"))).header("X-API-Key", TestHub.API_KEY)
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
            assertPlainError(browser, next);
        }
    }

    private static void assertPlainError(TestBrowser browser, String url) {
        WebDriver page = browser.driver();
        page.get(url);
        browser.await().until(ExpectedConditions.presenceOfElementLocated(By.id("merchant-page-error")));
        assertThat(page.findElements(By.id("merchant-page"))).isEmpty();
        assertThat(page.getPageSource()).doesNotContain("Bí Mật").doesNotContain("Socdo").doesNotContain("ITS");
    }

    private static JsonNode onboard(String requestId, String name) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", """
                {"requestId": "%s", "merchant": {"externalId": "%s", "name": "%s", "phone": "0912345678"},
                 "providers": ["ahamove", "socdo", "its"], "socdo": {"zaloUserId": "123456409"},
                 "its": {"redirectUrl": "%s"}}""".formatted(requestId, requestId, name, MERCHANT_AFTER_ITS));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = MAPPER.readTree(response.body());
        assertThat(result.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        return result;
    }

    /** The same 16 bytes of the token's id written otherwise: the last character's 4 unused bits changed. */
    private static String reencoded(String token) {
        String id = token.substring(0, 22);
        for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray()) {
            String other = id.substring(0, 21) + c;
            if (c != id.charAt(21) && Arrays.equals(Base64.getUrlDecoder().decode(other), Base64.getUrlDecoder().decode(id))) {
                return other + token.substring(22);
            }
        }
        throw new AssertionError("no other encoding of " + id);
    }

    private static WebElement row(WebDriver page, String provider) {
        return page.findElement(By.cssSelector("li.provider[data-provider=" + provider + "]"));
    }

    /** A text of the page's bundle ({@code ""}: Vietnamese, {@code "_en"}: English). */
    private static String text(String language, String key) throws IOException {
        Properties texts = new Properties();
        try (var in = MerchantPageBrowserTest.class.getResourceAsStream("/merchant-page/messages" + language + ".properties")) {
            texts.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return texts.getProperty(key);
    }

    /** Makes the link's expiry pass, as days going by would. */
    private static void expire(String token) throws Exception {
        DataSource db = hub.context().getRegistry().lookupByNameAndType("hubDataSource", DataSource.class);
        try (Connection c = db.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE merchant_link SET expires_at = ? WHERE link_id = ?")) {
            update.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(1)));
            update.setString(2, token.substring(0, 22));
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }
}
