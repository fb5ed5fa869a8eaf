package vn.onboardinghub.extraproviders.viettelpost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.apache.camel.support.processor.DefaultMaskingFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.Docs;
import vn.onboardinghub.StartRefusedException;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.ops.CapturedLogs;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A fifth provider added the way docs/adding-a-provider.md says, from this test folder alone (its adapter and simulator): no file of
 * the hub names it. The hub is told about the folder's package with {@code hub.providers.packages} (a provider of the
 * hub itself lives under {@code vn.onboardinghub.providers}, found without it). A request naming it is fanned out to
 * it with the others; a request naming no provider gets {@code hub.providers.default} (the four others), so callers who
 * do not know the new provider are not broken by its required input. The hub checks its input, lists it in the API
 * document, counts its calls and keeps its secrets (declared, whatever their names) out of storage, logs and files.
 */
class ViettelPostProviderTest {
    static final List<String> PACKAGES = List.of(ProviderCatalog.DEFAULT_PACKAGE, "vn.onboardinghub.extraproviders");
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String MERCHANT = """
            "merchant": {"externalId": "M-5", "name": "Nguyễn Văn A", "phone": "0912 345 678", "email": "a@example.vn"}""";
    /** Every provider named, the new one included, with what each needs (the new one's password and ward). */
    static final String ALL = "{" + MERCHANT + """
            , "providers": ["ahamove", "ghtk", "its", "socdo", "viettelpost"],
             "ghtk": {"password": "shop-password"}, "socdo": {"zaloUserId": "123456789"},
             "viettelpost": {"password": "vtp-Secret-9", "wardId": "1203"}}""";
    /** The four providers of hub.providers.default (application.properties): the new one is not among them. */
    static final List<String> DEFAULT_PROVIDERS = List.of("ahamove", "ghtk", "its", "socdo");

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
        HttpResponse<String> byDefault = hub.post("/api/v1/onboardings", "{" + MERCHANT + ", \"ghtk\": {}}");

        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(missing.body()).at("/error/violations")).isEqualTo(MAPPER.readTree("""
                [{"field": "viettelpost.password", "message": "is required for Viettel Post"}]"""));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(wrong.body()).at("/error/violations")).isEqualTo(MAPPER.readTree("""
                [{"field": "viettelpost.password", "message": "must be text, not a number"}]"""));
        // a request naming no provider is not asked for the new one's input: the default providers are named instead
        assertThat(MAPPER.readTree(byDefault.body()).at("/error/violations").findValuesAsText("message"))
                .contains("is required for GHTK; providers defaults to " + String.join(", ", DEFAULT_PROVIDERS)
                        + " — name the ones you want in providers")
                .noneMatch(m -> m.contains("Viettel Post"));
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
                  "pin": {"type": "string", "format": "password", "writeOnly": true},
                  "wardId": {"type": "string", "pattern": "^\\\\d{1,19}$"}}}"""));
        // left out, providers is the default providers, not every provider
        assertThat(request.at("/providers/default")).isEqualTo(MAPPER.valueToTree(DEFAULT_PROVIDERS));
        assertThat(request.at("/providers/description").asText()).contains("ahamove, ghtk, its, socdo");
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
    void itsSecretsAreNeitherStoredNorKeptInADroppedFile() throws Exception {
        String password = "vtp-Only-Here-7";
        // a declared secret whose name does not end in password: masked all the same
        String pin = "pin-Only-Here-4821";
        String pinInABrokenLine = "pin-Broken-Line-9907";
        drop("merchants.csv", """
                external_id,name,phone,providers,viettelpost_password,viettelpost_pin,viettelpost_ward_id
                M-51,Shop A,0912345678,viettelpost,%s,%s,77
                """.formatted(password, pin));
        drop("bus-export.ndjson", """
                {"merchant": {"externalId": "M-52", "name": "Shop B", "phone": "0912345678"}, "providers": ["viettelpost"], "viettelpost": {"password": "%s", "pin": "%s"}}
                {"merchant": {"externalId": "M-53" oops, "viettelpost": {"pin": "%s"}
                """.formatted(password, pin, pinInABrokenLine));

        JsonNode result = MAPPER.readTree(Files.readString(hub.dataDir().resolve("outbox").resolve("merchants.results.ndjson")));
        assertThat(result.at("/results/viettelpost/status").asText()).isEqualTo("SUCCEEDED");
        List<LoggedRequest> sent = simulator.findAll(anyRequestedFor(urlPathEqualTo("/viettelpost" + ViettelPostAdapter.PATH)));
        assertThat(sent).hasSize(2).allSatisfy(request -> {
            JsonNode body = MAPPER.readTree(request.getBodyAsString());
            assertThat(body.path("password").asText()).isEqualTo(password);
            assertThat(body.path("pin").asText()).isEqualTo(pin);
        });
        Path done = hub.dataDir().resolve("inbox").resolve(".done");
        assertThat(Files.readString(done.resolve("merchants.csv"))).contains(",***,***,77");
        assertThat(MAPPER.readTree(Files.readAllLines(done.resolve("bus-export.ndjson")).get(0)).path("viettelpost"))
                .isEqualTo(MAPPER.readTree("{\"password\": \"***\", \"pin\": \"***\"}"));
        assertThat(Files.readString(done.resolve("bus-export.ndjson"))).contains("M-53");
        assertThat(filesContaining(password)).isEmpty();
        assertThat(filesContaining(pin)).isEmpty();
        assertThat(filesContaining(pinInABrokenLine)).isEmpty();
    }

    /**
     * A field is a secret because its adapter declares it one ({@code InputField.secret()}), not because of its name:
     * Viettel Post's {@code pin} is sent to the provider, and neither stored, logged, quoted back in a violation nor
     * shown by Camel's log mask, like a password.
     */
    @Test
    void aSecretIsKnownByItsDeclarationNotByItsName() throws Exception {
        String pin = "pin-Rest-Only-6634";
        String request = "{" + MERCHANT.replace("M-5", "M-54") + ", \"providers\": [\"viettelpost\"],"
                + " \"viettelpost\": {\"password\": \"x\", \"pin\": \"" + pin + "\"}}";
        JsonNode created;
        JsonNode violations;
        List<String> logged;
        try (CapturedLogs logs = CapturedLogs.capture()) {
            created = MAPPER.readTree(hub.post("/api/v1/onboardings", request).body());
            violations = MAPPER.readTree(hub.post("/api/v1/onboardings", "{" + MERCHANT + ", \"providers\": [\"viettelpost\"],"
                    + " \"viettelpost\": {\"password\": \"x\", \"pin\": 48213377}}").body()).at("/error/violations");
            logged = logs.events().stream().map(CapturedLogs::text).toList();
        }

        assertThat(created.at("/results/viettelpost/status").asText()).as(created.toString()).isEqualTo("SUCCEEDED");
        assertThat(MAPPER.readTree(simulator.findAll(anyRequestedFor(urlPathEqualTo("/viettelpost" + ViettelPostAdapter.PATH)))
                .get(0).getBodyAsString()).path("pin").asText()).isEqualTo(pin);
        assertThat(violations).isEqualTo(MAPPER.readTree("""
                [{"field": "viettelpost.pin", "message": "must be text, not a number"}]"""));
        assertThat(logged).isNotEmpty().noneMatch(line -> line.contains(pin) || line.contains("48213377"));
        assertThat(filesContaining(pin)).isEmpty();
        assertThat(hub.get("/api/v1/onboardings/" + created.path("onboardingId").asText()).body()).doesNotContain(pin);
        assertThat(new DefaultMaskingFormatter(hub.context()).format("{\"pin\": \"" + pin + "\"}")).doesNotContain(pin);
    }

    /** Drops a file into the inbox (written aside, then moved in whole) and waits until it is processed. */
    private static void drop(String name, String content) throws Exception {
        Path inbox = hub.dataDir().resolve("inbox");
        Files.createDirectories(inbox);
        Path hidden = Files.writeString(inbox.resolve("." + name), content, StandardCharsets.UTF_8);
        Files.move(hidden, inbox.resolve(name));
        Path done = inbox.resolve(".done").resolve(name);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(done) && !Files.exists(inbox.resolve(name)));
    }

    /** Every file under the hub's data directory that holds {@code text}, in any encoding that keeps ASCII. */
    private static List<Path> filesContaining(String text) throws Exception {
        try (Stream<Path> files = Files.walk(hub.dataDir())) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> new String(read(f), StandardCharsets.ISO_8859_1).contains(text)).toList();
        }
    }

    @Test
    void theReadmeQuickStartNamingNoProviderGetsTheDefaultOnesNotTheNewOne() throws Exception {
        String curl = Docs.readme().codeBlock("## Quick start (sandbox mode)", "bash", 0);
        int body = curl.indexOf("-d '") + 4;
        String quickStart = curl.substring(body, curl.indexOf("'\n", body));
        assertThat(MAPPER.readTree(quickStart).has("providers")).as("the quick start names no provider").isFalse();

        HttpResponse<String> response = hub.post("/api/v1/onboardings", quickStart);

        // the new provider requires a password the quick start does not give: it is not asked, so nothing breaks
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(MAPPER.readTree(response.body()).path("results").fieldNames()).toIterable()
                .containsExactlyInAnyOrderElementsOf(DEFAULT_PROVIDERS);
        assertThat(simulator.findAll(anyRequestedFor(urlPathEqualTo("/viettelpost" + ViettelPostAdapter.PATH)))).isEmpty();

        // naming it asks it, and then for what it requires
        ObjectNode named = (ObjectNode) MAPPER.readTree(quickStart);
        named.remove("requestId");
        named.putArray("providers").add("viettelpost");
        HttpResponse<String> lacking = hub.post("/api/v1/onboardings", MAPPER.writeValueAsString(named));
        named.putObject("viettelpost").put("password", "vtp-Secret-9");
        HttpResponse<String> complete = hub.post("/api/v1/onboardings", MAPPER.writeValueAsString(named));

        assertThat(lacking.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(lacking.body()).at("/error/violations")).isEqualTo(MAPPER.readTree("""
                [{"field": "viettelpost.password", "message": "is required for Viettel Post"}]"""));
        assertThat(complete.statusCode()).as(complete.body()).isEqualTo(200);
        JsonNode results = MAPPER.readTree(complete.body()).path("results");
        assertThat(results.fieldNames()).toIterable().containsExactly("viettelpost");
        assertThat(results.at("/viettelpost/status").asText()).isEqualTo("SUCCEEDED");
    }

    /**
     * hub.providers.default decides what a request naming no provider gets: the new provider once listed there, a
     * disabled provider left out (as a disabled provider was left out of "every enabled provider"), an unknown name
     * refused at start.
     */
    @Test
    void theDefaultProvidersAreASetting() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(TestHub.providersAt(simulator.baseUrl(), catalog));
        settings.put("hub.providers.packages", String.join(",", PACKAGES));
        settings.put("hub.providers.default", "ahamove, ghtk, viettelpost");
        settings.put("hub.providers.ghtk.enabled", "false");
        try (TestHub listed = TestHub.start(settings)) {
            HttpResponse<String> response = listed.post("/api/v1/onboardings", "{" + MERCHANT
                    + ", \"viettelpost\": {\"password\": \"vtp-Secret-9\"}}");

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(MAPPER.readTree(response.body()).path("results").fieldNames()).toIterable()
                    .containsExactlyInAnyOrder("ahamove", "viettelpost");
        }

        settings.put("hub.providers.default", "ahamove,viettelpots");
        assertThatThrownBy(() -> TestHub.start(settings).close()).satisfies(e -> assertThat(refusal(e)).hasMessage(
                "hub.providers.default (HUB_PROVIDERS_DEFAULT) names viettelpots, which is not a provider of this hub"
                        + " (known: ahamove, ghtk, its, socdo, viettelpost)"));
    }

    private static StartRefusedException refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StartRefusedException refused) {
                return refused;
            }
        }
        throw new AssertionError("the start was not refused with a reason", e);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
