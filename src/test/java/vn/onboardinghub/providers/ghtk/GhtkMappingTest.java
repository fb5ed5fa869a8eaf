package vn.onboardinghub.providers.ghtk;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.providers.AdapterMappingTest;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderSettings;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * GHTK {@code POST /services/shops/token} in-process: the partner headers and body the adapter builds, and each
 * documented answer (fixtures/ghtk) mapped to the normalized result. GHTK refuses with {@code success:false}, also at
 * HTTP 200: the body decides.
 */
class GhtkMappingTest extends AdapterMappingTest {
    static final String TOKEN = "ghtk-partner-token-for-mapping-tests-0123456789";
    static final String CLIENT_SOURCE = "S-PARTNER-MAPPING";
    static final String PASSWORD = "1S@fF#K2-shop-password-for-mapping-tests";

    private Map<String, String> settings = Map.of("token", TOKEN, "client-source", CLIENT_SOURCE);

    @java.lang.Override
    protected String provider() {
        return "ghtk";
    }

    @java.lang.Override
    protected ProviderAdapter newAdapter() {
        return new GhtkAdapter(MAPPER);
    }

    @java.lang.Override
    protected Map<String, String> settingValues() {
        return settings;
    }

    @java.lang.Override
    protected List<String> secrets() {
        return List.of(TOKEN, PASSWORD);
    }

    static List<Fixture> documentedAnswers() {
        return fixtures("ghtk");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documentedAnswers")
    void documentedAnswerIsMappedToTheNormalizedResult(Fixture fixture) {
        ProviderAdapter adapter = adapter();
        Exchange exchange = prepared(adapter, shopLogin(Map.of()));

        assertMapped(answer(adapter, exchange, fixture.answer(), adapter::parseResponse), fixture);
    }

    @Test
    void everyDocumentedAnswerHasAFixture() {
        assertThat(fixtureFiles("ghtk")).containsExactlyInAnyOrder(
                "200-error-20101-bad-partner-token.json",
                "200-partner-may-not-use-this-api.json",
                "200-shop-token-returned.json",
                "200-success-without-shop-code.json",
                "200-success-without-token.json",
                "200-unknown-failure-message.json",
                "200-wrong-email-or-password.json",
                "200-wrong-email-or-password-decomposed-unicode.json",
                "400-wrong-email-or-password.json",
                "401-error-20101-bad-partner-token.json",
                "403-partner-may-not-use-this-api.json",
                "404-error-10104.json",
                "405-error-10102.json",
                "405-error-10105.json",
                "500-error-10101.json",
                "500-error-10103-system-incident.json",
                "503-unavailable.json");
    }

    @Test
    void requestIsAJsonPostWithThePartnerTokenClientSourceAndTheShopsMerchantEmailAndPassword() throws Exception {
        Exchange exchange = prepared(adapter(), shopLogin(Map.of()));

        assertThat(exchange.getProperty(ProviderAdapter.URL)).isEqualTo("https://ghtk.provider.test/services/shops/token");
        assertThat(exchange.getMessage().getHeaders()).containsOnly(
                entry(Exchange.HTTP_METHOD, HttpMethods.POST),
                entry(Exchange.CONTENT_TYPE, "application/json; charset=utf-8"),
                entry("Token", TOKEN),
                entry("X-Client-Source", CLIENT_SOURCE));
        assertThat(body(exchange)).isEqualTo(MAPPER.readTree("""
                {"email": "a@example.vn", "password": "%s"}""".formatted(PASSWORD)));
    }

    @Test
    void anExplicitShopEmailIsSentInsteadOfTheMerchants() throws Exception {
        Exchange exchange = prepared(adapter(), shopLogin(Map.of("email", "shoptest@email.com")));

        assertThat(body(exchange)).isEqualTo(MAPPER.readTree("""
                {"email": "shoptest@email.com", "password": "%s"}""".formatted(PASSWORD)));
    }

    @Test
    void withoutAConfiguredClientSourceNoXClientSourceHeaderIsSent() {
        settings = Map.of("token", TOKEN);

        Exchange exchange = prepared(adapter(), shopLogin(Map.of()));

        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys(Exchange.HTTP_METHOD, Exchange.CONTENT_TYPE, "Token");
    }

    @Test
    void theShopsPasswordIsNotInTheRequestsOrTheSettingsText() {
        OnboardingRequest request = shopLogin(Map.of());

        assertThat(request.toString()).doesNotContain(PASSWORD).contains("password=***");
        assertThat(new ProviderSettings("ghtk", true, baseUrl(), settings).toString()).doesNotContain(TOKEN);
    }

    /** The merchant's GHTK section: the shop's password (a secret), and any other field given. */
    private OnboardingRequest shopLogin(Map<String, String> fields) {
        Map<String, String> inputs = new HashMap<>(fields);
        inputs.put("password", PASSWORD);
        return request(MERCHANT, inputs, Set.of("password"));
    }

    private static JsonNode body(Exchange exchange) throws Exception {
        return MAPPER.readTree(exchange.getMessage().getBody(String.class));
    }
}
