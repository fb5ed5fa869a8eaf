package vn.onboardinghub.providers.socdo;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.providers.AdapterMappingTest;
import vn.onboardinghub.providers.NotConfiguredException;
import vn.onboardinghub.providers.ProviderAdapter;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * Socdo mini app {@code POST /mini-app/v1/register} in-process: the seller headers and the Zalo user body the adapter
 * builds, and each documented answer (fixtures/socdo) mapped to the normalized result.
 */
class SocdoMappingTest extends AdapterMappingTest {
    static final String TOKEN_SELLER = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.socdo-seller-token-for-mapping-tests";
    static final String SHOP_ID = "23933";
    static final Map<String, String> ZALO_USER = Map.of("zaloUserId", "123456789",
            "avatar", "https://example.com/avatar.jpg", "gender", "male");

    private Map<String, String> settings = Map.of("token-seller", TOKEN_SELLER, "shop-id", SHOP_ID);

    @java.lang.Override
    protected String provider() {
        return "socdo";
    }

    @java.lang.Override
    protected ProviderAdapter newAdapter() {
        return new SocdoAdapter(MAPPER);
    }

    @java.lang.Override
    protected Map<String, String> settingValues() {
        return settings;
    }

    @java.lang.Override
    protected List<String> secrets() {
        return List.of(TOKEN_SELLER);
    }

    static List<Fixture> documentedAnswers() {
        return fixtures("socdo");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documentedAnswers")
    void documentedAnswerIsMappedToTheNormalizedResult(Fixture fixture) {
        ProviderAdapter adapter = adapter();
        Exchange exchange = prepared(adapter, request(MERCHANT, ZALO_USER, Set.of()));

        assertMapped(answer(adapter, exchange, fixture.answer(), adapter::parseResponse), fixture);
    }

    @Test
    void everyDocumentedAnswerHasAFixture() {
        assertThat(fixtureFiles("socdo")).containsExactlyInAnyOrder(
                "201-registered.json",
                "201-without-data.json",
                "201-without-token.json",
                "400-missing-zalo-information.json",
                "401-seller-token-invalid.json",
                "401-seller-token-missing.json",
                "401-seller-token-wrong-issuer.json",
                "409-already-registered-need-login.json",
                "500-server-error.json");
    }

    @Test
    void requestIsAJsonPostWithTokenSellerAndShopIdAndTheZaloUserWithTheMobileInNationalForm() throws Exception {
        Exchange exchange = prepared(adapter(), request(MERCHANT, ZALO_USER, Set.of()));

        assertThat(exchange.getProperty(ProviderAdapter.URL)).isEqualTo("https://socdo.provider.test/mini-app/v1/register");
        assertThat(exchange.getMessage().getHeaders()).containsOnly(
                entry(Exchange.HTTP_METHOD, HttpMethods.POST),
                entry(Exchange.CONTENT_TYPE, "application/json; charset=utf-8"),
                entry("Token-Seller", TOKEN_SELLER),
                entry("Shop-ID", SHOP_ID));
        assertThat(body(exchange)).isEqualTo(MAPPER.readTree("""
                {"zalo_user_id": "123456789", "name": "Nguyễn Văn A", "avatar": "https://example.com/avatar.jpg",
                 "gender": "male", "email": "a@example.vn", "mobile": "0912345678"}"""));
    }

    @Test
    void onlyTheRequiredZaloUserIdAndNameAndTheKnownMobileAreSentWhenNothingElseIsGiven() throws Exception {
        OnboardingRequest.Merchant bare = new OnboardingRequest.Merchant("M-003", "Nguyễn Văn A", "0912345678",
                null, null, null, null, null);

        Exchange exchange = prepared(adapter(), request(bare, Map.of("zaloUserId", "123456789"), Set.of()));

        assertThat(body(exchange)).isEqualTo(MAPPER.readTree("""
                {"zalo_user_id": "123456789", "name": "Nguyễn Văn A", "mobile": "0912345678"}"""));
    }

    @Test
    void withoutTheShopIdNoRequestIsBuilt() {
        settings = Map.of("token-seller", TOKEN_SELLER);

        assertThatThrownBy(() -> prepared(adapter(), request(MERCHANT, ZALO_USER, Set.of())))
                .isInstanceOf(NotConfiguredException.class)
                .hasMessage("socdo is missing hub.providers.socdo.shop-id");
    }

    private static JsonNode body(Exchange exchange) throws Exception {
        return MAPPER.readTree(exchange.getMessage().getBody(String.class));
    }
}
