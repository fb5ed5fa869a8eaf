package vn.onboardinghub.extraproviders.viettelpost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fifth provider added the way docs/adding-a-provider.md says, from this test folder alone (its adapter and simulator): no file of
 * the hub names it. The hub is told about the folder's package with {@code hub.providers.packages} (a provider of the
 * hub itself lives under {@code vn.onboardinghub.providers}, found without it). The hub fans out to it with the four
 * others, checks its input, lists it in the API document and counts its calls.
 */
class ViettelPostProviderTest {
    static final List<String> PACKAGES = List.of(ProviderCatalog.DEFAULT_PACKAGE, "vn.onboardinghub.extraproviders");
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String MERCHANT = """
            "merchant": {"externalId": "M-5", "name": "Nguyễn Văn A", "phone": "0912 345 678", "email": "a@example.vn"}""";
    /** What every provider needs, the new one's password and ward included; providers left out: all of them. */
    static final String ALL = "{" + MERCHANT + """
            , "ghtk": {"password": "shop-password"}, "socdo": {"zaloUserId": "123456789"},
             "viettelpost": {"password": "vtp-Secret-9", "wardId": "1203"}}""";

    static WireMockServer simulator;
    static TestHub hub;
    static ProviderCatalog catalog;

    @BeforeAll
    static void start() throws Exception {
        catalog = new ProviderCatalog(MAPPER, PACKAGES);
        simulator = new WireMockServer(options().dynamicPort().templatingEnabled(true).globalTemplating(false));
        simulator.start();
        registerSimulators();
        Map<String, String> settings = new LinkedHashMap<>(TestHub.providersAt(simulator.baseUrl(), catalog));
        settings.put("hub.providers.packages", String.join(",", PACKAGES));
        hub = TestHub.start(settings);
    }

    /** Every provider's own simulator, each under /<name>, as sandbox mode runs them. */
    private static void registerSimulators() {
        for (ProviderAdapter provider : catalog.all()) {
            provider.sandbox().register(simulator, "/" + provider.name());
        }
    }

    @AfterEach
    void forget() {
        simulator.resetRequests();
        hub.forgetEarlierSuccesses();
    }

    @AfterAll
    static void stop() {
        hub.close();
        simulator.stop();
    }

    @Test
    void theHubFansOutToTheNewProviderWithTheOthers() throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", ALL);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode results = MAPPER.readTree(response.body()).path("results");
        assertThat(results.fieldNames()).toIterable().containsExactlyInAnyOrder("ahamove", "ghtk", "its", "socdo", "viettelpost");
        assertThat(results.at("/viettelpost/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(results.at("/viettelpost/credentials").fieldNames()).toIterable().containsExactly("userId", "token");
        assertThat(results.at("/viettelpost/attempts").asInt()).isEqualTo(1);
        List<LoggedRequest> sent = simulator.findAll(anyRequestedFor(urlPathEqualTo("/viettelpost" + ViettelPostAdapter.PATH)));
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).getHeader("Authorization")).isEqualTo("Bearer " + ViettelPostSandbox.TOKEN);
        assertThat(MAPPER.readTree(sent.get(0).getBodyAsString())).isEqualTo(MAPPER.readTree("""
                {"phone": "0912345678", "name": "Nguyễn Văn A", "email": "a@example.vn", "password": "vtp-Secret-9", "ward_id": "1203"}"""));
        // the routes are named after it like the others', from the shared templates
        assertThat(hub.context().getRoute("provider-viettelpost")).isNotNull();
        assertThat(hub.context().getRoute("viettelpost-call")).isNotNull();
    }

    @Test
    void itsErrorAtHttp200IsMappedByItsOwnAdapter() throws Exception {
        String request = "{" + MERCHANT.replace("0912 345 678", "0912 345 409")
                + ", \"providers\": [\"viettelpost\"], \"viettelpost\": {\"password\": \"vtp-Secret-9\"}}";

        JsonNode result = MAPPER.readTree(hub.post("/api/v1/onboardings", request).body()).at("/results/viettelpost");

        assertThat(result).isEqualTo(MAPPER.readTree("""
                {"status": "FAILED", "attempts": 1, "error": {"code": "ALREADY_EXISTS", "retryable": false,
                 "message": "Viettel Post already has an account for this phone", "providerStatus": 409,
                 "providerCode": null, "providerMessage": "Số điện thoại đã được đăng ký"}}"""));
    }

    @Test
    void itsInputIsCheckedBeforeAnythingIsCalled() throws Exception {
        HttpResponse<String> missing = hub.post("/api/v1/onboardings", "{" + MERCHANT + ", \"providers\": [\"viettelpost\"]}");
        HttpResponse<String> wrong = hub.post("/api/v1/onboardings", "{" + MERCHANT
                + ", \"providers\": [\"viettelpost\"], \"viettelpost\": {\"password\": 1234, \"wardId\": \"Ba Đình\"}}");
        HttpResponse<String> byDefault = hub.post("/api/v1/onboardings", "{" + MERCHANT
                + ", \"ghtk\": {\"password\": \"p\"}, \"socdo\": {\"zaloUserId\": \"1\"}}");

        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(missing.body()).at("/error/violations")).isEqualTo(MAPPER.readTree("""
                [{"field": "viettelpost.password", "message": "is required for Viettel Post"}]"""));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(wrong.body()).at("/error/violations")).isEqualTo(MAPPER.readTree("""
                [{"field": "viettelpost.password", "message": "must be text, not a number"}]"""));
        assertThat(MAPPER.readTree(byDefault.body()).at("/error/violations/0/message").asText())
                .isEqualTo("is required for Viettel Post; providers defaults to every enabled provider — name the ones you want in providers");
        String wrongWard = "{" + MERCHANT + ", \"providers\": [\"viettelpost\"], \"viettelpost\": {\"password\": \"x\", \"wardId\": \"Ba Đình\"}}";
        assertThat(MAPPER.readTree(hub.post("/api/v1/onboardings", wrongWard).body()).at("/error/violations")).isEqualTo(MAPPER.readTree("""
                [{"field": "viettelpost.wardId", "message": "must be the numeric Viettel Post ward id"}]"""));
        assertThat(simulator.findAll(anyRequestedFor(urlPathEqualTo("/viettelpost" + ViettelPostAdapter.PATH)))).isEmpty();
    }

    @Test
    void theApiDocumentDescribesIt() throws Exception {
        JsonNode document = MAPPER.readTree(hub.get("/api/v1/openapi.json", null).body());

        JsonNode request = document.at("/components/schemas/OnboardingRequest/properties");
        assertThat(request.at("/providers/items/enum")).isEqualTo(MAPPER.readTree("[\"ahamove\", \"ghtk\", \"its\", \"socdo\", \"viettelpost\"]"));
        assertThat(request.path("viettelpost")).isEqualTo(MAPPER.readTree("""
                {"type": "object", "properties": {
                  "password": {"type": "string", "format": "password", "writeOnly": true, "description": "required for Viettel Post"},
                  "wardId": {"type": "string", "pattern": "^\\\\d{1,19}$"}}}"""));
        assertThat(document.at("/components/schemas/ProviderResult/properties/credentials/description").asText())
                .contains("viettelpost {userId, token}");
    }

    @Test
    void itsCallsAreCountedLikeEveryProvidersCalls() throws Exception {
        hub.post("/api/v1/onboardings", "{" + MERCHANT + ", \"providers\": [\"viettelpost\"], \"viettelpost\": {\"password\": \"x\"}}");

        String metrics = hub.get(hub.managementUrl("/observe/metrics"), null).body();

        assertThat(metrics).containsPattern("hub_provider_calls_total\\{outcome=\"SUCCEEDED\",provider=\"viettelpost\"} [1-9]")
                .containsPattern("hub_provider_results_total\\{outcome=\"SUCCEEDED\",provider=\"viettelpost\"} [1-9]")
                .contains("resilience4j_circuitbreaker_state{name=\"viettelpost\",state=\"closed\"} 1.0");
    }

    @Test
    void itsSecretIsNeitherStoredNorKeptInADroppedFile() throws Exception {
        String password = "vtp-Only-Here-7";
        Path inbox = hub.dataDir().resolve("inbox");
        Files.createDirectories(inbox);
        Path hidden = Files.writeString(inbox.resolve(".merchants.csv"), """
                external_id,name,phone,providers,viettelpost_password,viettelpost_ward_id
                M-51,Shop A,0912345678,viettelpost,%s,77
                """.formatted(password), StandardCharsets.UTF_8);
        Files.move(hidden, inbox.resolve("merchants.csv"));
        Path done = inbox.resolve(".done").resolve("merchants.csv");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(done) && !Files.exists(inbox.resolve("merchants.csv")));

        JsonNode result = MAPPER.readTree(Files.readString(hub.dataDir().resolve("outbox").resolve("merchants.results.ndjson")));
        assertThat(result.at("/results/viettelpost/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(MAPPER.readTree(simulator.findAll(anyRequestedFor(urlPathEqualTo("/viettelpost" + ViettelPostAdapter.PATH)))
                .get(0).getBodyAsString()).path("password").asText()).isEqualTo(password);
        assertThat(Files.readString(done)).contains(",***,77");
        try (Stream<Path> files = Files.walk(hub.dataDir())) {
            assertThat(files.filter(Files::isRegularFile)
                    .filter(f -> new String(read(f), StandardCharsets.ISO_8859_1).contains(password))).isEmpty();
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
