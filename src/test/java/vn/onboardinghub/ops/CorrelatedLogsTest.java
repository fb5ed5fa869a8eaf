package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.TestHub;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Log lines as an operator greps them: every line about an onboarding names it ({@code onboardingId} in the MDC),
 * on the request thread, the parallel provider threads, their retries and the file-drop record threads; lines of a
 * provider step name the provider; no configured or issued secret appears anywhere; the JSON format is one parseable
 * object per line carrying those fields.
 */
class CorrelatedLogsTest {
    static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    static final String GHTK = "/ghtk/services/shops/token";
    static final String SOCDO = "/socdo/mini-app/v1/register";
    /** Partner credentials, the merchant's GHTK password and the credentials the providers issue. */
    static final List<String> SECRETS = List.of("aha-Secret-key-1", "ghtk-Secret-token-1", "seller-Secret-jwt-1",
            "its-Secret-key-1", "merchant-Secret-password-1", "issued-Secret-token-1", "issued-Secret-refresh-1",
            "issued-Secret-ghtk-1", "issued-Secret-socdo-1");
    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dataDir;
    static WireMockServer provider;
    static TestHub hub;
    static CapturedLogs logs;

    @BeforeAll
    static void start() throws Exception {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        Map<String, String> props = new HashMap<>(TestHub.providersAt(provider.baseUrl()));
        props.put("hub.providers.ahamove.api-key", "aha-Secret-key-1");
        props.put("hub.providers.ghtk.token", "ghtk-Secret-token-1");
        props.put("hub.providers.socdo.token-seller", "seller-Secret-jwt-1");
        props.put("hub.providers.its.api-key", "its-Secret-key-1");
        props.put("hub.data-dir", dataDir.toString());
        props.put("hub.file.read-lock-min-age-ms", "300");
        logs = CapturedLogs.capture();
        hub = TestHub.start(props);
    }

    @AfterAll
    static void stop() {
        hub.close();
        provider.stop();
        logs.close();
    }

    @BeforeEach
    void providersAnswer() {
        provider.resetAll();
        hub.forgetEarlierSuccesses();
        // Ahamove: 503 twice (two retries, logged), then the token
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("second"));
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson("{\"token\": \"issued-Secret-token-1\", \"refresh_token\": \"issued-Secret-refresh-1\"}")));
        provider.stubFor(post(urlPathEqualTo(GHTK)).willReturn(okJson(
                "{\"success\": true, \"message\": \"Thành công\", \"data\": {\"code\": \"S1\", \"token\": \"issued-Secret-ghtk-1\"}}")));
        provider.stubFor(post(urlPathEqualTo(SOCDO)).willReturn(aResponse().withStatus(500)));
        logs.clear();
    }

    @Test
    void everyLineOfAnRestOnboardingCarriesItsIdAndProviderLinesTheirProvider() throws Exception {
        String id = onboard("LOG-1");

        List<LogEvent> lines = linesOf(id);
        assertThat(lines).extracting(e -> e.getMessage().getFormattedMessage())
                .anyMatch(m -> m.contains("accepted"))
                .anyMatch(m -> m.startsWith("ahamove call 1 failed"))
                .anyMatch(m -> m.startsWith("ahamove call 2 failed"))
                .anyMatch(m -> m.startsWith("socdo call 1 failed"))
                .anyMatch(m -> m.contains(id + " PARTIAL"));
        assertThat(lines).as("every hub line logged while onboarding %s names it", id)
                .allSatisfy(e -> assertThat(mdc(e, "onboardingId")).as(CapturedLogs.text(e)).isEqualTo(id));
        assertThat(lines).filteredOn(e -> e.getMessage().getFormattedMessage().matches("(ahamove|socdo) call \\d failed.*"))
                .as("retries run on provider threads and name their provider")
                .allSatisfy(e -> {
                    assertThat(e.getThreadName()).contains("provider-calls");
                    assertThat(mdc(e, "provider")).isEqualTo(e.getMessage().getFormattedMessage().split(" ")[0]);
                });
        assertThat(lines).filteredOn(e -> e.getMessage().getFormattedMessage().contains(id + " PARTIAL"))
                .allSatisfy(e -> assertThat(mdc(e, "provider")).as("the onboarding's own lines name no provider").isNull());
        assertNoSecretIn(logs.events());
    }

    @Test
    void fileDropRecordLinesCarryTheirRecordsOnboardingId() throws Exception {
        Path inbox = Files.createDirectories(dataDir.resolve("inbox"));
        Files.writeString(inbox.resolve(".logs.csv"), "external_id,name,phone,email,providers,ghtk_password\n"
                + "LOG-F1,Shop F1,0912345671,f1@example.vn,ahamove;ghtk,merchant-Secret-password-1\n"
                // refused by validation (no Socdo zaloUserId): no onboarding, so no onboardingId
                + "LOG-F2,Shop F2,0912345672,f2@example.vn,socdo,\n");
        Files.move(inbox.resolve(".logs.csv"), inbox.resolve("logs.csv"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(inbox.resolve(".done").resolve("logs.csv")));

        List<LogEvent> accepted = logs.events().stream()
                .filter(e -> e.getMessage().getFormattedMessage().matches("onboarding \\S+ accepted for merchant LOG-F\\d.*")).toList();
        assertThat(accepted).hasSize(1).allSatisfy(e -> assertThat(e.getThreadName()).contains("file-records"));
        String id = mdc(accepted.get(0), "onboardingId");
        assertThat(accepted.get(0).getMessage().getFormattedMessage()).contains(id);
        List<LogEvent> lines = linesOf(id);
        assertThat(lines).extracting(e -> e.getMessage().getFormattedMessage())
                .anyMatch(m -> m.startsWith("ahamove call 2 failed")).anyMatch(m -> m.contains(id + " SUCCEEDED"));
        assertThat(lines).allSatisfy(e -> assertThat(mdc(e, "onboardingId")).isEqualTo(id));
        assertNoSecretIn(logs.events());
    }

    @Test
    void jsonFormatIsOneObjectPerLineWithTheOnboardingIdAndProvider() throws Exception {
        Layout<?> json = jsonLayoutOfTheShippedConfiguration();
        String id = onboard("LOG-J");

        List<LogEvent> lines = linesOf(id);
        assertThat(lines).isNotEmpty();
        for (LogEvent event : lines) {
            String line = new String(json.toByteArray(event), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(line).endsWith("\n").doesNotContain("\n\n");
            assertThat(line.strip()).doesNotContain("\n");
            JsonNode parsed = MAPPER.readTree(line);
            assertThat(parsed.path("onboardingId").asText()).as(line).isEqualTo(id);
            assertThat(parsed.path("message").asText()).isEqualTo(event.getMessage().getFormattedMessage());
            assertThat(parsed.path("log.level").asText()).isEqualTo(event.getLevel().name());
            if (event.getMessage().getFormattedMessage().startsWith("ahamove call")) {
                assertThat(parsed.path("provider").asText()).isEqualTo("ahamove");
            }
        }
    }

    /** Posts the onboarding (Ahamove retried, GHTK succeeds, Socdo fails); its id. */
    private static String onboard(String externalId) throws Exception {
        var response = hub.post("/api/v1/onboardings", """
                {"merchant": {"externalId": "%s", "name": "Shop", "phone": "0912345678", "email": "l@example.vn"},
                 "providers": ["ahamove", "ghtk", "socdo"], "ghtk": {"password": "merchant-Secret-password-1"},
                 "socdo": {"zaloUserId": "123456789"}}""".formatted(externalId));
        JsonNode result = MAPPER.readTree(response.body());
        assertThat(result.path("status").asText()).as(response.body()).isEqualTo("PARTIAL");
        assertThat(result.at("/results/ahamove/attempts").asInt()).isEqualTo(3);
        return result.path("onboardingId").asText();
    }

    /**
     * The hub's own lines about this onboarding: those that mention its id, and everything the hub logged on the
     * threads that worked on it while they did (the request thread, provider threads, record threads).
     */
    private static List<LogEvent> linesOf(String id) {
        List<LogEvent> all = logs.events();
        var threads = all.stream().filter(e -> e.getMessage().getFormattedMessage().contains(id))
                .map(LogEvent::getThreadName).collect(java.util.stream.Collectors.toSet());
        threads.addAll(all.stream().filter(e -> id.equals(mdc(e, "onboardingId"))).map(LogEvent::getThreadName).toList());
        return all.stream().filter(e -> e.getLoggerName().startsWith("vn.onboardinghub"))
                .filter(e -> e.getMessage().getFormattedMessage().contains(id) || id.equals(mdc(e, "onboardingId"))
                        || threads.contains(e.getThreadName()) && !e.getMessage().getFormattedMessage().startsWith("file "))
                .filter(e -> !isOtherOnboarding(e, id))
                .toList();
    }

    private static boolean isOtherOnboarding(LogEvent e, String id) {
        String other = mdc(e, "onboardingId");
        return other != null && !other.isEmpty() && !other.equals(id) && !e.getMessage().getFormattedMessage().contains(id);
    }

    private static String mdc(LogEvent event, String key) {
        return event.getContextData().getValue(key);
    }

    private static void assertNoSecretIn(List<LogEvent> events) {
        assertThat(events).isNotEmpty();
        for (LogEvent event : events) {
            String text = CapturedLogs.text(event);
            assertThat(SECRETS).as(text).noneMatch(text::contains);
        }
    }

    /** src/main/resources/log4j2.xml as the hub loads it with {@code -Dhub.log.format=json}: its console layout. */
    private static Layout<?> jsonLayoutOfTheShippedConfiguration() throws Exception {
        System.setProperty("hub.log.format", "json");
        try (InputStream in = CorrelatedLogsTest.class.getResourceAsStream("/log4j2.xml")) {
            LoggerContext context = new LoggerContext("json-format");
            XmlConfiguration config = new XmlConfiguration(context, new ConfigurationSource(in));
            config.initialize();
            config.start();
            String selected = config.getRootLogger().getAppenderRefs().get(0).getRef();
            assertThat(selected).isEqualTo("json");
            return config.getAppender(selected).getLayout();
        } finally {
            System.clearProperty("hub.log.format");
        }
    }
}
