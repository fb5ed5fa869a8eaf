package vn.onboardinghub.providers.ahamove;

import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.providers.AdapterMappingTest;
import vn.onboardinghub.providers.NotConfiguredException;
import vn.onboardinghub.providers.ProviderAdapter;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * Ahamove {@code GET /v1/partner/register_account} in-process: the query the adapter builds, and each documented
 * answer (fixtures/ahamove) mapped to the normalized result.
 */
class AhamoveMappingTest extends AdapterMappingTest {
    static final String API_KEY = "ahamove-partner-api-key-for-mapping-tests-0001";

    @java.lang.Override
    protected String provider() {
        return "ahamove";
    }

    @java.lang.Override
    protected ProviderAdapter newAdapter() {
        return new AhamoveAdapter(MAPPER);
    }

    @java.lang.Override
    protected Map<String, String> settingValues() {
        return Map.of("api-key", API_KEY);
    }

    @java.lang.Override
    protected List<String> secrets() {
        return List.of(API_KEY);
    }

    static List<Fixture> documentedAnswers() {
        return fixtures("ahamove");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documentedAnswers")
    void documentedAnswerIsMappedToTheNormalizedResult(Fixture fixture) {
        ProviderAdapter adapter = adapter();
        Exchange exchange = prepared(adapter, request(MERCHANT, fixture.inputs(), Set.of()));

        assertMapped(answer(adapter, exchange, fixture.answer(), adapter::parseResponse), fixture);
    }

    @Test
    void everyDocumentedAnswerHasAFixture() {
        assertThat(fixtureFiles("ahamove")).containsExactlyInAnyOrder(
                "200-account-updated-tokens-returned.json",
                "200-without-token.json",
                "401-account-not-of-this-partner.json",
                "401-without-body.json",
                "403-account-locked.json",
                "404-api-key-not-found.json",
                "404-parent-id-not-found.json",
                "409-email-already-exists.json",
                "500-internal-server-error.json",
                "503-html-maintenance-page.json",
                "503-maintenance.json");
    }

    @Test
    void requestIsAGetWithEveryParameterInTheQueryAndTheMobileIn84Form() {
        Exchange exchange = prepared(adapter(), request(MERCHANT, Map.of("parentId", "P-1"), Set.of()));

        assertThat(exchange.getProperty(ProviderAdapter.URL)).isEqualTo("https://ahamove.provider.test/v1/partner/register_account");
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_METHOD)).isEqualTo(HttpMethods.GET);
        assertThat(query(exchange)).containsExactly(
                entry("api_key", API_KEY),
                entry("mobile", "84912345678"),
                entry("name", "Nguyễn Văn A"),
                entry("address", "12 Lê Lợi, Quận 1, TP.HCM"),
                entry("lat", "10.7769"),
                entry("lng", "106.7009"),
                entry("email", "a@example.vn"),
                entry("parent_id", "P-1"));
        assertThat(exchange.getMessage().getBody()).isNull();
        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys(Exchange.HTTP_METHOD, Exchange.HTTP_QUERY);
    }

    @Test
    void anExistingAccountNeedsOnlyApiKeyMobileAndNameAndTheCountryCodeIsSentWhenGiven() {
        OnboardingRequest.Merchant known = new OnboardingRequest.Merchant("M-002", "Partner Test", "0902933025",
                null, null, null, null, "VN");

        Exchange exchange = prepared(adapter(), request(known, Map.of(), Set.of()));

        assertThat(query(exchange)).containsExactly(
                entry("api_key", API_KEY),
                entry("mobile", "84902933025"),
                entry("name", "Partner Test"),
                entry("country_code", "VN"));
    }

    @Test
    void queryValuesWithReservedCharactersAreEncodedAndAddNoParameter() {
        OnboardingRequest.Merchant tricky = new OnboardingRequest.Merchant("M-003", "A&B=C+D #1", "0912345678",
                "x+y@example.vn", "Ngõ 5/7 ?&", null, null, null);

        Exchange exchange = prepared(adapter(), request(tricky, Map.of(), Set.of()));

        String raw = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        assertThat(raw).doesNotContain(" ", "#", "?").contains("name=A%26B%3DC%2BD+%231");
        assertThat(query(exchange)).containsExactly(
                entry("api_key", API_KEY),
                entry("mobile", "84912345678"),
                entry("name", "A&B=C+D #1"),
                entry("address", "Ngõ 5/7 ?&"),
                entry("email", "x+y@example.vn"));
    }

    @Test
    void withoutTheApiKeyNoRequestIsBuilt() {
        AhamoveAdapter adapter = new AhamoveAdapter(MAPPER);
        adapter.configure(new vn.onboardinghub.providers.ProviderSettings("ahamove", true, baseUrl(), Map.of()), null);

        assertThatThrownBy(() -> prepared(adapter, request(MERCHANT, Map.of(), Set.of())))
                .isInstanceOf(NotConfiguredException.class)
                .hasMessage("ahamove is missing hub.providers.ahamove.api-key");
    }

    /** The query string decoded, in order. */
    private static Map<String, String> query(Exchange exchange) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class).split("&")) {
            String[] kv = pair.split("=", 2);
            assertThat(query.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8))).as("parameter " + kv[0] + " once").isNull();
        }
        return query;
    }
}
