package vn.onboardinghub;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

/**
 * Debian's headless Chromium through chromedriver, with a fresh profile, for the browser tests ({@code mvn verify}
 * installs both when missing: ops/install-test-browser). Screenshots go to {@code target/screenshots/}.
 */
public final class TestBrowser implements AutoCloseable {
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private final Path profile;
    private final WebDriver driver;
    private final WebDriverWait wait;

    private TestBrowser(Path profile, WebDriver driver) {
        this.profile = profile;
        this.driver = driver;
        this.wait = new WebDriverWait(driver, Duration.ofSeconds(60));
    }

    /** A browser window of {@code width} × {@code height} CSS pixels, asking for English pages (Chromium's default). */
    public static TestBrowser open(int width, int height) throws IOException {
        return open(width, height, "en-US,en");
    }

    /** The same, its {@code Accept-Language} the given one (e.g. {@code vi-VN,vi} for a phone set to Vietnamese). */
    public static TestBrowser open(int width, int height, String acceptLanguage) throws IOException {
        return open(width, height, acceptLanguage, false);
    }

    /**
     * A phone: a viewport of exactly {@code width} × {@code height} CSS pixels (a window cannot be narrower than
     * about 500 px), with a touch screen and a mobile user agent.
     */
    public static TestBrowser phone(int width, int height, String acceptLanguage) throws IOException {
        return open(width, height, acceptLanguage, true);
    }

    private static TestBrowser open(int width, int height, String acceptLanguage, boolean phone) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path profile = Files.createTempDirectory("hub-chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // without the background-networking flags Chromium tries to reach Google's hosts from a closed network
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=" + width + "," + height, "--user-data-dir=" + profile,
                "--lang=" + acceptLanguage.split(",")[0]);
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", acceptLanguage));
        if (phone) {
            options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics",
                    Map.of("width", width, "height", height, "pixelRatio", 2.0, "touch", true)));
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new TestBrowser(profile, new ChromeDriver(service, options));
    }

    public WebDriver driver() {
        return driver;
    }

    public WebDriverWait await() {
        return wait;
    }

    /** Saves what the window shows as {@code target/screenshots/<name>.png}. */
    public Path screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        return Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var paths = Files.walk(profile)) {
                paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
