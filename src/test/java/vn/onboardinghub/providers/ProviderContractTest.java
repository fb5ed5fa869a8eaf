package vn.onboardinghub.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Base of the per-provider contract tests: the real hub, with every provider pointed at a WireMock server that
 * plays the provider's documented answers. Tests pin the exact request the provider received and the exact
 * normalized result.
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
