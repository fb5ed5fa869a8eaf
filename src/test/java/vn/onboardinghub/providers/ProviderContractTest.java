package vn.onboardinghub.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import vn.onboardinghub.TestHub;

import java.net.http.HttpResponse;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the per-provider contract tests: the real hub, with every provider of the catalog pointed at one WireMock
 * server (provider {@code p} under {@code /p}, with the partner credentials of its sandbox) that plays the provider's
 * documented answers. Tests pin the exact request the provider received and the exact normalized result: a new
 * provider's contract test extends this class and holds only its cases.
 */
public abstract class ProviderContractTest {
    protected static WireMockServer provider;
    protected static TestHub hub;
    protected static final ObjectMapper MAPPER = new ObjectMapper();

    /** A valid request for the given providers, with every field the four providers use. */
    protected static final String MERCHANT = """
            "merchant": {"externalId": "M-001", "name": "Nguyễn Văn A", "phone": "0912 345 678",
                         "email": "a@example.vn", "address": "12 Lê Lợi, Quận 1, TP.HCM",
                         "lat": 10.7769, "lng": 106.7009}""";

    /** The providers the hub under test knows. */
    protected static final ProviderCatalog CATALOG = new ProviderCatalog(MAPPER);

    /**
     * A valid request for every provider of the catalog, each named in {@code providers}: the merchant and, for each
     * provider, a value in the right format for each field it requires.
     */
    protected static String requestForEveryProvider() {
        ObjectNode request = MAPPER.createObjectNode();
        try {
            request.setAll((ObjectNode) MAPPER.readTree("{" + MERCHANT + "}"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // named: a request naming none gets hub.providers.default, which a provider added later is not in
        CATALOG.names().forEach(request.putArray("providers")::add);
        for (ProviderAdapter adapter : CATALOG.all()) {
            for (InputField field : adapter.inputFields()) {
                if (field.isRequired()) {
                    request.withObjectProperty(adapter.name()).put(field.name(), sample(field));
                }
            }
        }
        return request.toString();
    }

    /** A value the field accepts. */
    private static String sample(InputField field) {
        InputField.Format format = field.format();
        String value = format.allowed() != null ? format.allowed().get(0)
                : format == InputField.Format.EMAIL ? "shop@example.vn"
                : format == InputField.Format.HTTP_URL ? "https://merchant.example/after"
                : "123456789";
        assertThat(format.accepts().test(value)).as("a sample value for " + field.name()).isTrue();
        return value;
    }

    /** Every provider of the catalog answering as its simulator does, each under {@code /<name>}. */
    protected static void everyProviderAnswersAsItsSimulator() {
        for (ProviderAdapter adapter : CATALOG.all()) {
            adapter.sandbox().register(provider, "/" + adapter.name());
        }
    }

    @BeforeAll
    static void startHub() throws Exception {
        provider = new WireMockServer(options().dynamicPort());
        provider.start();
        hub = TestHub.start(TestHub.providersAt(provider.baseUrl()));
    }

    @AfterEach
    void resetProvider() {
        provider.resetAll();
        // each test's merchant M-001 starts with no earlier success (which the hub would reuse instead of calling)
        hub.forgetEarlierSuccesses();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
        provider.stop();
    }

    /** POSTs an onboarding and returns the result of {@code name}, asserting the HTTP exchange itself succeeded. */
    protected static JsonNode onboard(String requestJson, String name) throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", requestJson);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body()).path("results").path(name);
    }

    /** The requests the simulated provider received. */
    protected static List<LoggedRequest> received() {
        return provider.findAll(anyRequestedFor(anyUrl()));
    }

    /** The one request the provider received, checked to carry none of the caller's or Camel's headers. */
    protected static LoggedRequest theOnlyRequest() {
        List<LoggedRequest> requests = received();
        assertThat(requests).hasSize(1);
        LoggedRequest request = requests.get(0);
        assertThat(request.getHeaders().keys()).noneMatch(h -> h.equalsIgnoreCase("X-API-Key") || h.startsWith("Camel")
                || h.equalsIgnoreCase("async"));
        return request;
    }

    /** A JSON POST on {@code path} with exactly this body and none of the caller's or Camel's headers. */
    protected static void assertJsonPost(LoggedRequest sent, String path, String body) {
        assertThat(sent.getMethod().getName()).isEqualTo("POST");
        assertThat(sent.getUrl()).isEqualTo(path);
        assertThat(sent.contentTypeHeader().mimeTypePart()).isEqualTo("application/json");
        assertThat(sent.getHeaders().keys()).noneMatch(h -> h.equalsIgnoreCase("X-API-Key") || h.startsWith("Camel"));
        try {
            assertThat(json(sent.getBodyAsString())).isEqualTo(json(body));
        } catch (Exception e) {
            throw new AssertionError("request body is not JSON: " + sent.getBodyAsString(), e);
        }
    }

    protected static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }
}
