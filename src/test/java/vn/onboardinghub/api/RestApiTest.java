package vn.onboardinghub.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Route;
import org.apache.camel.component.rest.RestEndpoint;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.providers.ProviderContractTest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The REST channel: API key, validation with field paths, async onboarding, lookups, OpenAPI. */
class RestApiTest extends ProviderContractTest {
    static final String AHAMOVE_ONLY = "{" + MERCHANT + ", \"providers\": [\"ahamove\"]}";

    private static void ahamoveAnswers() {
        provider.stubFor(get(urlPathEqualTo("/ahamove/v1/partner/register_account"))
                .willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")));
    }

    private static JsonNode violations(String body) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode error = json(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("INVALID_REQUEST");
        return error.path("violations");
    }

    @Test
    void missingApiKeyIs401() throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", AHAMOVE_ONLY, null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response.body()).at("/error/code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(received()).isEmpty();
    }

    @Test
    void wrongApiKeyIs401ForPostAndGet() throws Exception {
        assertThat(hub.post("/api/v1/onboardings", AHAMOVE_ONLY, "nope").statusCode()).isEqualTo(401);
        assertThat(hub.get("/api/v1/onboardings/x", "nope").statusCode()).isEqualTo(401);
        assertThat(received()).isEmpty();
    }

    @Test
    void invalidFieldsAreReportedWithTheirPathsAndNothingReachesAProvider() throws Exception {
        JsonNode violations = violations("""
                {"merchant": {"externalId": "M-1", "name": " ", "phone": "12345", "email": "not-an-email"},
                 "providers": ["ahamove", "lazada", "ghtk", "socdo"],
                 "its": {"redirectUrl": "javascript:alert(1)"}}""");

        assertThat(violations.findValuesAsText("field")).containsExactlyInAnyOrder("merchant.name", "merchant.phone",
                "merchant.email", "providers[1]", "ghtk.email", "ghtk.password", "socdo.zaloUserId", "its.redirectUrl");
        assertThat(received()).isEmpty();
    }

    @Test
    void wrongTypeIsReportedAtItsFieldInPlainWords() throws Exception {
        JsonNode violations = violations("{\"merchant\": {\"externalId\": \"M-1\", \"name\": \"A\", \"phone\": \"0912345678\", \"lat\": \"north\"}}");
        assertThat(violations.get(0).path("field").asText()).isEqualTo("merchant.lat");
        assertThat(violations.get(0).path("message").asText()).isEqualTo("must be a number, not the text \"north\"");
    }

    @Test
    void wrongTypesNameWhatIsAcceptedAndNeverAJavaClassOrLibraryOption() throws Exception {
        assertPlainWords(violations("{\"merchant\": {\"externalId\": 7, \"name\": \"A\", \"phone\": \"0912345678\"}}"),
                "merchant.externalId", "must be text, not the number 7");
        assertPlainWords(violations("{\"merchant\": \"Shop A\"}"), "merchant", "must be an object, not the text \"Shop A\"");
        assertPlainWords(violations("{" + MERCHANT + ", \"providers\": \"ahamove\"}"), "providers",
                "must be a list, not the text \"ahamove\"");
        assertPlainWords(violations("{" + MERCHANT + ", \"ghtk\": {\"password\": 123456}}"), "ghtk.password",
                "must be text, not a number");
        assertPlainWords(violations("{\"merchant\": {\"externalId\": \"M-1\", \"name\": \"A\", \"phone\": \"0912345678\","
                + " \"lng\": [1]}}"), "merchant.lng", "must be a number, not a list");
    }

    @Test
    void malformedJsonIsInvalidRequestSayingWhere() throws Exception {
        assertPlainWords(violations("{\"merchant\": {"), "$",
                "is not valid JSON: the document ends before it is complete at line 1, column 15");
        assertPlainWords(violations("{\"merchant\": {\"name\": \"A\",}}"), "$",
                "is not valid JSON: something unexpected at line 1, column 27 (check quotes, commas and brackets)");
    }

    @Test
    void absurdlyDeepJsonIsRefusedInPlainWords() throws Exception {
        assertPlainWords(violations("[".repeat(5000) + "]".repeat(5000)), "$", "is nested deeper than 64 levels");
        assertPlainWords(violations("{\"merchant\": " + "{\"a\": ".repeat(70) + "1" + "}".repeat(71)), "$",
                "is nested deeper than 64 levels");
    }

    @Test
    void theSmallestRequestIsToldWhichProvidersAreTheDefaultAndHowToChoose() throws Exception {
        JsonNode violations = violations("{\"merchant\": {\"externalId\": \"M-1\", \"name\": \"Shop\", \"phone\": \"0912345678\"}}");

        assertThat(violations.findValuesAsText("field")).containsExactlyInAnyOrder("ghtk.email", "ghtk.password", "socdo.zaloUserId");
        // hub.providers.default (application.properties), the enabled ones, in name order
        String howToChoose = "; providers defaults to ahamove, ghtk, its, socdo — name the ones you want in providers";
        assertThat(violations.findValuesAsText("message")).containsExactlyInAnyOrder(
                "is required for GHTK (or set merchant.email)" + howToChoose, "is required for GHTK" + howToChoose,
                "is required for Socdo" + howToChoose);
        // with providers named, the caller chose: no hint
        JsonNode chosen = violations("{\"merchant\": {\"externalId\": \"M-1\", \"name\": \"Shop\", \"phone\": \"0912345678\"},"
                + " \"providers\": [\"socdo\"]}");
        assertThat(chosen.findValuesAsText("message")).containsExactly("is required for Socdo");
        assertThat(received()).isEmpty();
    }

    private static void assertPlainWords(JsonNode violations, String field, String message) {
        assertThat(violations).hasSize(1);
        assertThat(violations.get(0).path("field").asText()).isEqualTo(field);
        assertThat(violations.get(0).path("message").asText()).isEqualTo(message);
        assertThat(violations.toString()).doesNotContainPattern("java\\.|`|Coercion|StreamReadConstraints|Exception|\\bat \\w+\\.");
    }

    @Test
    void missingMerchantIsInvalidRequest() throws Exception {
        assertThat(violations("{}").findValuesAsText("field")).containsExactly("merchant");
    }

    @Test
    void syncOnboardingIsStoredAndCanBeReadBack() throws Exception {
        ahamoveAnswers();
        JsonNode created = json(hub.post("/api/v1/onboardings", AHAMOVE_ONLY).body());

        HttpResponse<String> read = hub.get("/api/v1/onboardings/" + created.path("onboardingId").asText());

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(json(read.body())).isEqualTo(created);
        // the caller's headers are not echoed back
        assertThat(read.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("X-API-Key"));
    }

    @Test
    void asyncOnboardingAnswers202WithLocationThenCompletes() throws Exception {
        provider.stubFor(get(urlPathEqualTo("/ahamove/v1/partner/register_account"))
                .willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}").withFixedDelay(500)));

        HttpResponse<String> accepted = hub.post("/api/v1/onboardings?async=true", AHAMOVE_ONLY);

        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = json(accepted.body()).path("onboardingId").asText();
        assertThat(accepted.headers().firstValue("Location")).hasValue("/api/v1/onboardings/" + id);
        assertThat(json(accepted.body()).path("status").asText()).isEqualTo("PENDING");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(json(hub.get("/api/v1/onboardings/" + id).body()).path("status").asText()).isEqualTo("SUCCEEDED"));
        assertThat(received()).hasSize(1);
    }

    @Test
    void asyncWithInvalidRequestIs400() throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings?async=true", "{\"merchant\": {}}");
        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void repeatedRequestIdReturnsTheFirstOnboardingWithoutCallingProvidersAgain() throws Exception {
        ahamoveAnswers();
        String request = "{\"requestId\": \"idem-1\", " + MERCHANT + ", \"providers\": [\"ahamove\"]}";
        JsonNode first = json(hub.post("/api/v1/onboardings", request).body());

        JsonNode again = json(hub.post("/api/v1/onboardings", request).body());
        HttpResponse<String> asyncAgain = hub.post("/api/v1/onboardings?async=true", request);

        assertThat(again).isEqualTo(first);
        assertThat(asyncAgain.headers().firstValue("Location")).hasValue("/api/v1/onboardings/" + first.path("onboardingId").asText());
        assertThat(json(asyncAgain.body())).isEqualTo(first);
        assertThat(received()).hasSize(1);
    }

    @Test
    void unknownPathsAnswerTheApisJson404() throws Exception {
        for (String path : new String[]{"/", "/nope", "/api/v1/nope", "/api/v2/onboardings", "/api/v1/onboardings/a/b"}) {
            HttpResponse<String> response = hub.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).as(path)
                    .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(json(response.body()).at("/error/code").asText()).as(response.body()).isEqualTo("NOT_FOUND");
            assertThat(json(response.body()).at("/error/message").asText()).as(response.body()).contains("/api/v1");
        }
    }

    @Test
    void aWrongMethodAnswersTheApisJson405() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (String[] call : new String[][]{{"DELETE", "/api/v1/onboardings"}, {"PUT", "/api/v1/onboardings/x"},
                {"POST", "/api/v1/openapi.json"}, {"PATCH", "/api/v1/batches"}}) {
            HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.url(call[1])))
                    .header("X-API-Key", vn.onboardinghub.TestHub.API_KEY)
                    .method(call[0], java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(call[0] + " " + call[1]).isEqualTo(405);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(json(response.body()).at("/error/code").asText()).as(response.body()).isEqualTo("METHOD_NOT_ALLOWED");
        }
        assertThat(received()).isEmpty();
    }

    @Test
    void unknownOnboardingIs404() throws Exception {
        HttpResponse<String> response = hub.get("/api/v1/onboardings/00000000-0000-0000-0000-000000000000");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response.body()).at("/error/code").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void openApiDocumentDescribesTheApi() throws Exception {
        HttpResponse<String> response = hub.get("/api/v1/openapi.json", null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode doc = json(response.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("paths").has("/api/v1/onboardings")).isTrue();
        assertThat(doc.path("paths").has("/api/v1/onboardings/{onboardingId}")).isTrue();
        assertThat(doc.path("paths").has("/api/v1/callbacks/its")).isTrue();
        assertThat(doc.path("paths").has("/api/v1/batches")).isTrue();
        assertThat(doc.path("paths").has("/api/v1/batches/{batchId}")).isTrue();
    }

    @Test
    void batchesNeedTheApiKeyAndListNothingBeforeAnyFile() throws Exception {
        assertThat(hub.get("/api/v1/batches", null).statusCode()).isEqualTo(401);
        HttpResponse<String> response = hub.get("/api/v1/batches");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).isArray()).isTrue();
    }

    /**
     * Deny by default: every route of the REST definition, as the running hub has it (so a route added later is
     * covered), asks for the API key, except the routes listed in routeConfiguration api-public, which are exactly the
     * ITS callback (its signed state authenticates it) and openapi.json.
     */
    @Test
    void everyApiRouteButTheListedPublicOnesAnswers401WithoutAKey() throws Exception {
        ModelCamelContext model = (ModelCamelContext) hub.context();
        RestDefinition api = model.getRestDefinitions().stream().filter(rest -> "onboarding-api".equals(rest.getId()))
                .findFirst().orElseThrow();
        Map<String, Boolean> publicByRoute = new LinkedHashMap<>();
        HttpClient client = HttpClient.newHttpClient();
        for (VerbDefinition verb : api.getVerbs()) {
            String routeId = routeOf(api, verb);
            RouteDefinition route = model.getRouteDefinition(routeId);
            boolean isPublic = route.getRouteConfigurationId() != null
                    && Arrays.asList(route.getRouteConfigurationId().split(",")).contains("api-public");
            publicByRoute.put(routeId, isPublic);
            String method = verb.asVerb().toUpperCase(Locale.ROOT);
            // a path parameter gets any value: the key is asked for before the route looks at it
            String path = api.getPath() + verb.getPath().replaceAll("\\{[^}]+}", "x");
            String call = method + " " + path;
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(hub.url(path)))
                    .method(method, HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            if (isPublic) {
                assertThat(response.statusCode()).as(call + ": " + response.body()).isNotEqualTo(401);
                assertThat(response.body()).as(call).doesNotContain("UNAUTHORIZED");
            } else {
                assertThat(response.statusCode()).as(call + ": " + response.body()).isEqualTo(401);
                assertThat(json(response.body()).at("/error/code").asText()).as(call).isEqualTo("UNAUTHORIZED");
            }
        }
        assertThat(publicByRoute).as("routes of onboarding-api, true when public").hasSize(api.getVerbs().size())
                .containsValue(false);
        assertThat(publicByRoute.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey))
                .containsExactlyInAnyOrder("api-callback", "api-openapi");
        assertThat(received()).isEmpty();
    }

    /**
     * Every REST route of the hub is the API's (asked for its key above) or a merchant page's (its token authenticates
     * it: routeConfiguration merchant-page-link); without a current token a page route answers the plain bad-link page
     * (404, HTML, nothing of any onboarding), never a key error and never a page.
     */
    @Test
    void everyOtherRestRouteIsAMerchantPageRouteThatAsksForItsToken() throws Exception {
        ModelCamelContext model = (ModelCamelContext) hub.context();
        assertThat(model.getRestDefinitions().stream().map(RestDefinition::getId))
                .containsExactlyInAnyOrder("onboarding-api", "merchant-page");
        RestDefinition pages = model.getRestDefinitions().stream().filter(rest -> "merchant-page".equals(rest.getId()))
                .findFirst().orElseThrow();
        HttpClient client = HttpClient.newHttpClient();
        Map<String, String> routes = new LinkedHashMap<>();
        for (VerbDefinition verb : pages.getVerbs()) {
            String routeId = routeOf(pages, verb);
            RouteDefinition route = model.getRouteDefinition(routeId);
            assertThat(Arrays.asList(String.valueOf(route.getRouteConfigurationId()).split(","))).as(routeId)
                    .contains("merchant-page-link").doesNotContain("api-public", "api-authenticated");
            String path = pages.getPath() + verb.getPath().replace("{token}", "Wd1Ku0m6BDpXh7x2Qd5zjg.Hc1o9Z0h0pM6yq6aJrY1vw")
                    .replaceAll("\\{[^}]+}", "its");
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(hub.url(path)))
                    .method(verb.asVerb().toUpperCase(Locale.ROOT), HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow()).as(path).startsWith("text/html");
            assertThat(response.body()).as(path).contains("id=\"merchant-page-error\"").doesNotContain("UNAUTHORIZED");
            routes.put(routeId, path);
        }
        assertThat(routes).containsOnlyKeys("merchant-page", "merchant-action");
        assertThat(received()).isEmpty();
    }

    /** The running route that serves this verb of the REST definition. */
    private static String routeOf(RestDefinition api, VerbDefinition verb) {
        return hub.context().getRoutes().stream()
                .filter(route -> route.getEndpoint() instanceof RestEndpoint rest
                        && rest.getMethod().equalsIgnoreCase(verb.asVerb()) && api.getPath().equals(rest.getPath())
                        && verb.getPath().equals(rest.getUriTemplate()))
                .map(Route::getRouteId).findFirst()
                .orElseThrow(() -> new AssertionError("no route serves " + verb.asVerb() + " " + verb.getPath()));
    }
}
