package vn.onboardinghub.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.ops.CapturedLogs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the in-process adapter tests: no hub, no HTTP. Each provider's documented answers are fixtures,
 * {@code src/test/resources/fixtures/<provider>/<case>.json}, one per documented case:
 * <pre>
 * {"case": "what the provider documents, in words (the test's name)",
 *  "inputs": {"field": "value"},                 // optional: the provider's section of the request
 *  "answer": {"status": 200, "body": {...}},     // body: JSON, or a string for a non-JSON body, or absent
 *  "expected": {"status": "SUCCEEDED|ACTION_REQUIRED|FAILED",
 *               "credentials": {...} | null, "action": {...} | null,
 *               "error": {"code", "retryable", "message", "providerStatus", "providerCode", "providerMessage"} | null}}
 * </pre>
 * A provider making several calls in one attempt (ITS) lists {@code "answers": [{"call": "AuthorizeShop", ...}, ...]}
 * instead of {@code answer}. A fixture runs what the provider's route runs, in the same order, on a plain exchange:
 * the adapter builds the request, a 2xx answer goes to the adapter's parser, any other status (as camel-http's
 * {@link HttpOperationFailedException}) or an answer the parser refuses goes through {@link ProviderCalls}, the
 * route configuration's failure handler, to the adapter's error mapper. The normalized result (its call count aside)
 * must equal {@code expected} exactly. Every log line written meanwhile is checked for the partner's secrets, the
 * merchant's password and the credentials a provider returns.
 */
public abstract class AdapterMappingTest {
    protected static final ObjectMapper MAPPER = new ObjectMapper();
    /** A merchant as the intake hands it to the adapters: phone in the national 0… form. */
    protected static final OnboardingRequest.Merchant MERCHANT = new OnboardingRequest.Merchant("M-001", "Nguyễn Văn A",
            "0912345678", "a@example.vn", "12 Lê Lợi, Quận 1, TP.HCM", 10.7769, 106.7009, null);
    /** A caller's header that must never reach a provider. */
    protected static final String CALLER_API_KEY = "caller-api-key-that-must-not-reach-the-provider-0001";

    private static CamelContext camel;
    private CapturedLogs logs;
    private Level hubLevel;

    /** The provider's name, which is also its fixture folder. */
    protected abstract String provider();

    /** The adapter under test, configured with the partner settings of {@link #settingValues()}. */
    protected abstract ProviderAdapter newAdapter();

    /** {@code hub.providers.<name>.*} besides enabled and base-url. */
    protected abstract Map<String, String> settingValues();

    /** {@code hub.providers.<name>.base-url}. */
    protected String baseUrl() {
        return "https://" + provider() + ".provider.test";
    }

    /** Values no log line may contain: the partner's secrets and any secret input of the requests. */
    protected abstract List<String> secrets();

    @BeforeAll
    static void startCamel() {
        // an empty context, for its type converters: no route, no component, no hub
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterAll
    static void stopCamel() {
        camel.stop();
    }

    @BeforeEach
    void captureEveryHubLogLine() {
        hubLevel = LogManager.getLogger("vn.onboardinghub").getLevel();
        Configurator.setLevel("vn.onboardinghub", Level.TRACE);
        logs = CapturedLogs.capture();
    }

    @AfterEach
    void noSecretInALogLine() {
        try {
            List<String> secrets = new ArrayList<>(secrets());
            secrets.add(CALLER_API_KEY);
            fixtures(provider()).forEach(f -> f.expected().path("credentials").forEach(v -> secrets.add(v.asText())));
            for (LogEvent event : logs.events()) {
                String line = CapturedLogs.text(event);
                assertThat(secrets).as("secrets in the log line %s", line).noneMatch(line::contains);
            }
        } finally {
            logs.close();
            Configurator.setLevel("vn.onboardinghub", hubLevel);
        }
    }

    /** The adapter with its settings, enabled. */
    protected ProviderAdapter adapter() {
        ProviderAdapter adapter = newAdapter();
        adapter.configure(new ProviderSettings(provider(), true, baseUrl(), settingValues()),
                (provider, onboardingId) -> "https://hub.example/api/v1/callbacks/" + provider + "?state=signed." + onboardingId);
        return adapter;
    }

    /** A request for this provider only, with {@code inputs} as its section, {@code secretFields} among them. */
    protected OnboardingRequest request(OnboardingRequest.Merchant merchant, Map<String, String> inputs, Set<String> secretFields) {
        Set<String> secrets = new java.util.HashSet<>();
        secretFields.forEach(f -> secrets.add(provider() + "." + f));
        return new OnboardingRequest("R-001", merchant, List.of(provider()))
                .withInputs(Map.of(provider(), new LinkedHashMap<>(inputs)), secrets);
    }

    /**
     * The exchange after the adapter built its request, as the provider route's first step leaves it.
     */
    protected Exchange prepared(ProviderAdapter adapter, OnboardingRequest request) {
        Exchange exchange = arrived(adapter, request);
        adapter.prepareRequest(exchange);
        return exchange;
    }

    /**
     * The exchange as it enters the provider route (onboarding {@code ONB-1}), carrying a caller's {@code X-API-Key}
     * header and body.
     */
    protected static Exchange arrived(ProviderAdapter adapter, OnboardingRequest request) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(ProviderCalls.PROVIDER, adapter.name());
        exchange.setProperty(ProviderAdapter.REQUEST, request);
        exchange.setProperty("onboardingId", "ONB-1");
        exchange.getMessage().setHeader("X-API-Key", CALLER_API_KEY);
        exchange.getMessage().setBody("{\"caller\": \"body\"}");
        return exchange;
    }

    /**
     * The provider's answer to the call just prepared on {@code exchange}: a 2xx goes to {@code parse}; any other
     * status, or an answer {@code parse} refuses, becomes the result the route's failure handler gives.
     */
    protected static ProviderResult answer(ProviderAdapter adapter, Exchange exchange, Answer answer,
                                           Function<Exchange, ProviderResult> parse) {
        String url = exchange.getProperty(ProviderAdapter.URL, String.class);
        try {
            if (answer.status() < 200 || answer.status() > 299) {
                // what camel-http throws for a status outside 2xx (throwExceptionOnFailure)
                throw new HttpOperationFailedException(url, answer.status(), "HTTP " + answer.status(), null,
                        Map.of("Content-Type", "application/json"), answer.body());
            }
            Message message = exchange.getMessage();
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
            message.setBody(answer.body());
            return parse.apply(exchange);
        } catch (HttpOperationFailedException | RuntimeException failure) {
            exchange.setException(failure);
            ProviderCalls calls = new ProviderCalls(new ProviderCatalog(List.of(adapter)), null, 3, 60_000);
            calls.process(exchange);
            return calls.failed(exchange);
        }
    }

    /** The result equals the fixture's {@code expected}: status, credentials, action and error, each exactly. */
    protected static void assertMapped(ProviderResult result, Fixture fixture) {
        assertThat(result).as("the normalized result of " + fixture.file()).isNotNull();
        assertThat(comparable(MAPPER.valueToTree(result))).as(fixture.file() + ": " + fixture.title())
                .isEqualTo(comparable(fixture.expected()));
    }

    private static ObjectNode comparable(JsonNode result) {
        ObjectNode node = ((ObjectNode) result).deepCopy();
        node.remove("attempts");
        for (String field : List.of("status", "credentials", "action", "error")) {
            if (!node.has(field)) {
                node.putNull(field);
            }
        }
        return node;
    }

    /** One answer of the provider: the call it answers (for a provider with several), its status and raw body. */
    public record Answer(String call, int status, String body) {
    }

    /** One documented case. */
    public record Fixture(String file, String title, Map<String, String> inputs, List<Answer> answers, JsonNode expected) {
        public Answer answer() {
            assertThat(answers).as(file + " has one answer").hasSize(1);
            return answers.get(0);
        }

        @java.lang.Override
        public String toString() {
            return title;
        }
    }

    /** The fixture file names of a provider, sorted. */
    protected static List<String> fixtureFiles(String provider) {
        return fixtures(provider).stream().map(Fixture::file).toList();
    }

    /** Every fixture of a provider, in file-name order. */
    protected static List<Fixture> fixtures(String provider) {
        URL folder = AdapterMappingTest.class.getClassLoader().getResource("fixtures/" + provider);
        assertThat(folder).as("fixtures/" + provider + " on the test classpath").isNotNull();
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().map(AdapterMappingTest::fixture).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Fixture fixture(Path file) {
        try {
            JsonNode json = MAPPER.readTree(file.toFile());
            String name = file.getFileName().toString();
            assertThat(json.path("case").asText()).as(name + ": case").isNotBlank();
            assertThat(json.has("expected")).as(name + ": expected").isTrue();
            List<Answer> answers = new ArrayList<>();
            JsonNode list = json.has("answers") ? json.get("answers") : MAPPER.createArrayNode().add(json.get("answer"));
            for (JsonNode a : list) {
                JsonNode body = a.get("body");
                String raw = body == null || body.isNull() ? null : body.isTextual() ? body.textValue() : MAPPER.writeValueAsString(body);
                answers.add(new Answer(a.path("call").asText(null), a.path("status").asInt(), raw));
            }
            Map<String, String> inputs = new LinkedHashMap<>();
            json.path("inputs").fields().forEachRemaining(e -> inputs.put(e.getKey(), e.getValue().asText()));
            return new Fixture(name, json.get("case").asText(), inputs, answers, json.get("expected"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + file, e);
        }
    }
}
