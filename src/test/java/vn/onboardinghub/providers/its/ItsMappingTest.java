package vn.onboardinghub.providers.its;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import vn.onboardinghub.providers.CallbackUrls;
import vn.onboardinghub.model.InvalidRequestException;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.AdapterMappingTest;
import vn.onboardinghub.providers.ProviderAdapter;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * ITS in-process, as routes/providers/its.camel.yaml runs it: AuthorizeShop, and when it answers a shop key,
 * CurrentShop with that key before the shop counts as linked. The requests the adapter builds (Twirp-style: JSON POST,
 * {@code Authorization: Bearer}, {@code <BASE_URL>.Shop/<Method>}) and each documented answer (fixtures/its, an
 * answer per call made) mapped to the normalized result.
 */
class ItsMappingTest extends AdapterMappingTest {
    static final String API_KEY = "its-partner-api-key-for-mapping-tests-0123456789";
    /** The shop key the fixtures' shop_key answers carry. */
    static final String SHOP_KEY = "shop1234567890123:Xk9pQ2rT5vW8yZ1b";
    static final String CALLBACK = "https://hub.example/api/v1/callbacks/its?state=signed.ONB-1";

    @java.lang.Override
    protected String provider() {
        return "its";
    }

    @java.lang.Override
    protected ProviderAdapter newAdapter() {
        return new ItsAdapter(MAPPER);
    }

    @java.lang.Override
    protected Map<String, String> settingValues() {
        return Map.of("api-key", API_KEY);
    }

    /** ITS issues each partner a base URL ending in /v1/partner. */
    @java.lang.Override
    protected String baseUrl() {
        return "https://its.provider.test/v1/partner";
    }

    @java.lang.Override
    protected List<String> secrets() {
        return List.of(API_KEY, SHOP_KEY);
    }

    static List<Fixture> documentedAnswers() {
        return fixtures("its");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documentedAnswers")
    void documentedAnswerIsMappedToTheNormalizedResult(Fixture fixture) throws Exception {
        ItsAdapter adapter = (ItsAdapter) adapter();
        Exchange exchange = prepared(adapter, request(MERCHANT, fixture.inputs(), Set.of()));
        Iterator<Answer> answers = fixture.answers().iterator();

        Answer authorize = answers.next();
        assertThat(authorize.call()).as(fixture.file() + ": the first call").isEqualTo("AuthorizeShop");
        assertTwirpCall(exchange, ".Shop/AuthorizeShop", "Bearer " + API_KEY);
        ProviderResult result = answer(adapter, exchange, authorize, adapter::parseResponse);
        // the route's choice its-got-shop-key: a shop key is verified with CurrentShop before it counts
        if (exchange.getProperty(ItsAdapter.SHOP_KEY) != null) {
            assertThat(result).as("AuthorizeShop's shop_key is no result yet").isNull();
            assertThat(answers).as(fixture.file() + ": CurrentShop's answer").hasNext();
            Answer currentShop = answers.next();
            assertThat(currentShop.call()).isEqualTo("CurrentShop");
            adapter.prepareCurrentShop(exchange);
            assertTwirpCall(exchange, ".Shop/CurrentShop", "Bearer " + exchange.getProperty(ItsAdapter.SHOP_KEY));
            assertThat(body(exchange)).isEqualTo(MAPPER.readTree("{}"));
            result = answer(adapter, exchange, currentShop, adapter::parseCurrentShop);
        }

        assertThat(answers).as(fixture.file() + ": every answer was asked for").isExhausted();
        assertMapped(result, fixture);
    }

    @Test
    void everyDocumentedAnswerHasAFixture() {
        assertThat(fixtureFiles("its")).containsExactlyInAnyOrder(
                "200-first-connection-shop-request.json",
                "200-current-shop-without-id.json",
                "200-shop-key-rejected-by-current-shop.json",
                "200-shop-key-verified-by-current-shop.json",
                "200-shop-request-without-auth-url.json",
                "200-unlinked-shop-shop-request-again.json",
                "400-invalid-argument-email.json",
                "400-invalid-argument-phone.json",
                "400-invalid-argument-redirect-url-not-registered.json",
                "401-unauthenticated.json",
                "403-permission-denied-shop-never-logged-in.json",
                "404-bad-route.json",
                "404-plain-text-without-twirp-body.json",
                "500-internal.json");
    }

    @Test
    void firstConnectionSendsTheMerchantsContactAndOurCallbackAsRedirectUrl() throws Exception {
        Exchange exchange = prepared(adapter(), request(MERCHANT,
                Map.of("shopName", "Cửa hàng A", "externalShopId", "EXT-S-1", "externalUserId", "EXT-U-1"), Set.of()));

        assertTwirpCall(exchange, ".Shop/AuthorizeShop", "Bearer " + API_KEY);
        assertThat(body(exchange)).isEqualTo(MAPPER.readTree("""
                {"email": "a@example.vn", "phone": "0912345678", "name": "Nguyễn Văn A", "shop_name": "Cửa hàng A",
                 "external_shop_id": "EXT-S-1", "external_user_id": "EXT-U-1", "redirect_url": "%s"}""".formatted(CALLBACK)));
    }

    @Test
    void aKnownShopIdIsSentWithTheRedirectUrlAndNeverWithEmailOrPhone() throws Exception {
        Exchange exchange = prepared(adapter(), request(MERCHANT, Map.of("shopId", "1234567890123"), Set.of()));

        assertTwirpCall(exchange, ".Shop/AuthorizeShop", "Bearer " + API_KEY);
        assertThat(body(exchange)).isEqualTo(MAPPER.readTree("""
                {"shop_id": "1234567890123", "redirect_url": "%s"}""".formatted(CALLBACK)));
    }

    @Test
    void afterTheCallbackAuthorizeShopIsCalledAgainWithTheShopIdItsSentBack() throws Exception {
        ItsAdapter adapter = (ItsAdapter) adapter();
        Exchange exchange = arrived(adapter, request(MERCHANT, Map.of("redirectUrl", "https://merchant.example/after-its"), Set.of()));
        exchange.getMessage().setHeader("shop_id", "100200300");
        exchange.getMessage().setHeader("token", "browser-token-from-its");

        adapter.acceptCallback(exchange);
        adapter.prepareRequest(exchange);

        assertThat(exchange.getProperty(CallbackUrls.REDIRECT)).isEqualTo("https://merchant.example/after-its");
        assertTwirpCall(exchange, ".Shop/AuthorizeShop", "Bearer " + API_KEY);
        assertThat(body(exchange)).isEqualTo(MAPPER.readTree("""
                {"shop_id": "100200300", "redirect_url": "%s"}""".formatted(CALLBACK)));
    }

    @Test
    void aCallbackWithoutANumericShopIdIsRefused() {
        ItsAdapter adapter = (ItsAdapter) adapter();
        Exchange exchange = arrived(adapter, request(MERCHANT, Map.of(), Set.of()));
        exchange.getMessage().setHeader("shop_id", "12ab");

        assertThatThrownBy(() -> adapter.acceptCallback(exchange)).isInstanceOf(InvalidRequestException.class);
        assertThat(exchange.getProperty(ItsAdapter.CALLBACK_SHOP_ID)).isNull();
    }

    /**
     * POST to {@code <BASE_URL><method>} (a dot, not a slash) with JSON and the given Bearer, and no other header:
     * neither the caller's nor the callback's.
     */
    private static void assertTwirpCall(Exchange exchange, String method, String authorization) {
        assertThat(exchange.getProperty(ProviderAdapter.URL)).isEqualTo("https://its.provider.test/v1/partner" + method);
        assertThat(exchange.getMessage().getHeaders()).containsOnly(
                entry(Exchange.HTTP_METHOD, HttpMethods.POST),
                entry(Exchange.CONTENT_TYPE, "application/json; charset=utf-8"),
                entry("Authorization", authorization));
    }

    private static JsonNode body(Exchange exchange) throws Exception {
        return MAPPER.readTree(exchange.getMessage().getBody(String.class));
    }
}
