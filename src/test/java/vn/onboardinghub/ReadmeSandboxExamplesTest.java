package vn.onboardinghub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's sandbox examples, read out of README.md and run against the real hub in sandbox mode: the quick start
 * (request, answer's shape, the ITS authorization that follows) and every row of the sandbox trigger table, which
 * must have rows for every provider of the catalog.
 */
@WithHub({"hub.sandbox.enabled=true", "hub.api.keys="})
class ReadmeSandboxExamplesTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Docs README = Docs.readme();
    static final AtomicInteger MERCHANTS = new AtomicInteger();
    static TestHub hub;


    @Test
    void quickStartAnswersWhatTheReadmeShowsThenItsAuthorizationFinishesIt() throws Exception {
        String curl = README.codeBlock("## Quick start (sandbox mode)", "bash", 0);
        assertThat(curl).contains("-H 'X-API-Key: sandbox'", "http://localhost:8080/api/v1/onboardings");
        int body = curl.indexOf("-d '") + 4;
        String request = curl.substring(body, curl.indexOf("'\n", body));
        JsonNode documented = MAPPER.readTree(README.codeBlock("## Quick start (sandbox mode)", "json", 0));

        HttpResponse<String> response = hub.post("/api/v1/onboardings", request, "sandbox");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = MAPPER.readTree(response.body());
        assertSameShape("$", documented, answer);
        String its = answer.at("/results/its/action/url").asText();
        String documentedIts = documented.at("/results/its/action/url").asText();
        assertThat(withoutPorts(its)).startsWith(withoutPorts(documentedIts.substring(0, documentedIts.indexOf('…'))));

        // "open results.its.action.url": the sandbox logs the shop in and sends the browser to the hub's callback,
        // which finishes the link and redirects to its.redirectUrl
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(its)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        HttpResponse<String> callback = browser.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location").orElseThrow()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
        assertThat(callback.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("https://merchant.example/after-its"));
        JsonNode after = MAPPER.readTree(hub.get("/api/v1/onboardings/" + answer.path("onboardingId").asText(), "sandbox").body());
        assertThat(after.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(after.at("/results/its/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(after.at("/results/its/credentials").fieldNames()).toIterable().containsExactly("shopId", "shopKey");
    }

    /** The providers of the hub under test: the catalog, not a list written here. */
    private static ProviderCatalog catalog() {
        return hub.context().getRegistry().lookupByNameAndType("providerCatalog", ProviderCatalog.class);
    }

    /** The trigger table's rows (not its header), each with the provider of the catalog it names by display name. */
    private static List<Map.Entry<ProviderAdapter, String>> triggerRows() {
        List<Map.Entry<ProviderAdapter, String>> rows = new ArrayList<>();
        for (String row : README.section("### Sandbox triggers").lines()
                .filter(l -> l.startsWith("| ") && !l.startsWith("| provider |")).toList()) {
            String named = row.split("\\|")[1].strip();
            ProviderAdapter provider = catalog().all().stream().filter(p -> p.displayName().equalsIgnoreCase(named))
                    .findFirst().orElseThrow(() -> new AssertionError("the README's trigger table names " + named
                            + ", not a provider of the catalog " + catalog().names()));
            rows.add(Map.entry(provider, row));
        }
        return rows;
    }

    @Test
    void theTriggerTableHasRowsForEveryProviderOfTheCatalog() {
        Set<String> documented = triggerRows().stream().map(r -> r.getKey().name()).collect(Collectors.toSet());

        assertThat(catalog().names()).as("providers without a row in the README's sandbox trigger table")
                .allSatisfy(name -> assertThat(documented).as("a row for " + name).contains(name));
    }

    /** One case per input of the README's trigger table (the Ahamove phone row is one case per status). */
    static Stream<Arguments> sandboxTriggers() {
        List<Arguments> cases = new ArrayList<>();
        for (Map.Entry<ProviderAdapter, String> entry : triggerRows()) {
            String row = entry.getValue();
            String[] cells = row.split("\\|");
            String provider = entry.getKey().name();
            String input = cells[2].strip();
            String answer = cells[3].strip();
            List<String> outcome = backticked(answer.substring(answer.indexOf('→') + 1));
            if (input.startsWith("phone ending in ")) {
                List<String> suffixes = backticked(input);
                List<String> codes = outcome;
                assertThat(codes).as(row).hasSameSizeAs(suffixes);
                for (int i = 0; i < suffixes.size(); i++) {
                    String suffix = suffixes.get(i);
                    cases.add(Arguments.of(provider, input.replaceAll("`[^`]+`( / )?", "") + suffix, List.of(codes.get(i)),
                            (Consumer<ObjectNode>) r -> merchant(r).put("phone", "0912345" + suffix)));
                }
            } else {
                cases.add(Arguments.of(provider, input, outcome, requestFor(input)));
            }
        }
        assertThat(cases).as("the README's trigger table").hasSizeGreaterThanOrEqualTo(14);
        return cases.stream();
    }

    /** How the test sends each documented input; an input the README adds without a case here fails the test. */
    private static Consumer<ObjectNode> requestFor(String input) {
        return switch (input) {
            case "`ahamove.parentId` = `missing`" -> r -> r.putObject("ahamove").put("parentId", "missing");
            case "`ghtk.password` = `wrong-password`" -> r -> r.withObjectProperty("ghtk").put("password", "wrong-password");
            case "GHTK email starting with `no-permission`" -> r -> r.withObjectProperty("ghtk").put("email", "no-permission@example.vn");
            case "GHTK email starting with `error500`" -> r -> r.withObjectProperty("ghtk").put("email", "error500@example.vn");
            case "`socdo.zaloUserId` ending in `409`" -> r -> r.putObject("socdo").put("zaloUserId", "123456409");
            case "`its.shopId` = `403`" -> r -> r.putObject("its").put("shopId", "403");
            case "merchant email containing `invalid`" -> r -> merchant(r).put("email", "invalid@example.vn");
            case "`its.shopId` = any other number" -> r -> r.putObject("its").put("shopId", "4242");
            default -> throw new AssertionError("the README's trigger table has an input no test sends: " + input);
        };
    }

    @ParameterizedTest(name = "{0}: {1} → {2}")
    @MethodSource("sandboxTriggers")
    void sandboxTriggerAnswersTheDocumentedNormalizedResult(String name, String input, List<String> outcome,
                                                            Consumer<ObjectNode> trigger) throws Exception {
        ObjectNode request = MAPPER.createObjectNode();
        merchant(request).put("externalId", "TRIGGER-" + MERCHANTS.incrementAndGet()).put("name", "Shop")
                .put("phone", "0912345678").put("email", "shop@example.vn");
        request.putArray("providers").add(name);
        request.putObject("ghtk").put("password", "shop-password");
        request.putObject("socdo").put("zaloUserId", "123456789");
        trigger.accept(request);

        HttpResponse<String> response = hub.post("/api/v1/onboardings", MAPPER.writeValueAsString(request), "sandbox");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = MAPPER.readTree(response.body()).at("/results/" + name);
        String first = outcome.get(0);
        if (first.equals("SUCCEEDED")) {
            assertThat(result.path("status").asText()).as(response.body()).isEqualTo("SUCCEEDED");
            assertThat(result.path("credentials").isObject()).as(response.body()).isTrue();
        } else if (first.equals("ACTION_REQUIRED")) {
            assertThat(result.path("status").asText()).as(response.body()).isEqualTo("ACTION_REQUIRED");
            assertThat(result.at("/action/type").asText()).isEqualTo(outcome.get(1));
            assertThat(result.at("/error/code").asText()).isEqualTo(outcome.get(outcome.size() - 1));
        } else {
            assertThat(result.path("status").asText()).as(response.body()).isEqualTo("FAILED");
            assertThat(result.at("/error/code").asText()).as(response.body()).isEqualTo(first);
            // a retryable error is the final answer only after every attempt (hub.retry.max-attempts, 3)
            assertThat(result.path("attempts").asInt()).as(response.body())
                    .isEqualTo(result.at("/error/retryable").asBoolean() ? 3 : 1);
        }
    }

    private static ObjectNode merchant(ObjectNode request) {
        return request.withObjectProperty("merchant");
    }

    private static List<String> backticked(String text) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("`([^`]+)`").matcher(text);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    private static String withoutPorts(String url) {
        return url.replaceAll("localhost(:|%3A)\\d+", "localhost$1<port>");
    }

    /** The same fields at every level, and the same status, action type and attempts; values may differ. */
    private static void assertSameShape(String path, JsonNode documented, JsonNode actual) {
        assertThat(actual.getNodeType()).as(path).isEqualTo(documented.getNodeType());
        if (documented.isObject()) {
            assertThat(names(actual)).as(path + " fields").isEqualTo(names(documented));
            for (Iterator<String> it = documented.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                assertSameShape(path + "." + field, documented.get(field), actual.get(field));
                if (List.of("status", "type", "attempts", "requestId", "externalId", "expiresInSeconds", "username").contains(field)) {
                    assertThat(actual.get(field)).as(path + "." + field).isEqualTo(documented.get(field));
                }
            }
        }
    }

    private static TreeSet<String> names(JsonNode node) {
        TreeSet<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
