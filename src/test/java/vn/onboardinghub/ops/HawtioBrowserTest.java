package vn.onboardinghub.ops;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import vn.onboardinghub.TestBrowser;
import vn.onboardinghub.TestHub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Hawtio console in a real (headless) Chromium: an operator logs in through Hawtio's login page and finds the
 * hub's routes in the Camel view. Screenshots go to {@code target/screenshots/}. Needs Debian's {@code chromium}
 * and {@code chromium-driver}, which {@code mvn verify} installs when missing ({@code ops/install-test-browser}).
 */
class HawtioBrowserTest {
    static final String USER = "operator";
    static final String PASSWORD = "browser-pass-1";
    static TestHub hub;
    static String console;
    TestBrowser testBrowser;
    WebDriver browser;
    WebDriverWait wait;

    @BeforeAll
    static void startHub() throws Exception {
        int port = TestHub.freePort();
        hub = TestHub.start(Map.of("hub.hawtio.enabled", "true", "hub.hawtio.port", String.valueOf(port),
                "hub.hawtio.users", USER + ":" + PASSWORD));
        console = "http://localhost:" + port + "/hawtio/";
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @BeforeEach
    void startBrowser() throws IOException {
        testBrowser = TestBrowser.open(1600, 1000);
        browser = testBrowser.driver();
        wait = testBrowser.await();
    }

    @AfterEach
    void stopBrowser(TestInfo test) throws IOException {
        try {
            screenshot(test.getTestMethod().orElseThrow().getName() + "-last");
        } finally {
            testBrowser.close();
        }
    }

    @Test
    void operatorLogsInAndSeesTheHubsRoutesWithStatistics() throws Exception {
        // one exchange through the REST route, so the statistics have something to show
        assertThat(hub.post("/api/v1/onboardings", "{}").statusCode()).isEqualTo(400);

        browser.get(console);
        WebElement user = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pf-login-username-id")));
        screenshot("1-login");
        user.sendKeys(USER);
        browser.findElement(By.id("pf-login-password-id")).sendKeys(PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlMatches(".*/hawtio/(?!login).*"));

        browser.get(console + "camel");
        WebElement routesFolder = wait.until(ExpectedConditions.elementToBeClickable(
                By.xpath("//button[contains(@class,'tree-view__node-text') and normalize-space()='routes']")));
        screenshot("2-camel");
        routesFolder.click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.xpath("//table//td[normalize-space()='provider-ahamove']")));
        screenshot("3-routes");

        List<String> names = browser.findElements(By.xpath("//table//tbody/tr/td[2]")).stream().map(WebElement::getText).toList();
        assertThat(names).contains("onboarding", "provider-ahamove", "provider-ghtk", "provider-socdo", "provider-its",
                "intake-file", "intake-jms", "api-post-onboarding");
        Map<String, String> postRoute = row("api-post-onboarding");
        assertThat(postRoute).containsEntry("State", "Started").containsEntry("Total", "1");
    }

    @Test
    void operatorOpensABatchReport() throws Exception {
        Path inbox = Files.createDirectories(hub.dataDir().resolve("inbox"));
        Path hidden = inbox.resolve(".shops.csv");
        // no provider is configured on this hub: each record's providers answer NOT_CONFIGURED; one record has no phone
        Files.writeString(hidden, "external_id,name,phone,providers\nB-1,Shop One,0912345601,ahamove\n"
                + "B-2,Shop Two,,ahamove\nB-3,Shop Three,0912345603,socdo\n");
        Files.move(hidden, inbox.resolve("shops.csv"));
        Path report = hub.dataDir().resolve("outbox").resolve("shops.report.html");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(report));

        browser.get(report.toUri().toString());
        WebElement title = wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
        screenshot("4-batch-report");

        assertThat(title.getText()).contains("shops.csv");
        assertThat(browser.findElements(By.tagName("svg"))).as("the chart").isNotEmpty();
        String page = browser.findElement(By.tagName("body")).getText();
        assertThat(page).contains("INVALID_REQUEST", "NOT_CONFIGURED");
    }

    /** The routes table's row of one route: column header → cell text. */
    private Map<String, String> row(String route) {
        List<String> headers = browser.findElements(By.xpath("//table//thead//th")).stream().map(WebElement::getText).toList();
        List<String> cells = browser.findElements(By.xpath("//table//tbody/tr[td[normalize-space()='" + route + "']]/td"))
                .stream().map(WebElement::getText).toList();
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(headers.size(), cells.size()); i++) {
            row.put(headers.get(i).strip(), cells.get(i).strip());
        }
        return row;
    }

    private void screenshot(String name) throws IOException {
        testBrowser.screenshot("hawtio-" + name);
    }
}
