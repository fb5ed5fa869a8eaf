package vn.onboardinghub.providers.its;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.InvalidRequestException;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.ProviderError;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.model.Violation;
import vn.onboardinghub.providers.CallbackUrls;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.MerchantStep;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderSandbox;
import vn.onboardinghub.providers.UnexpectedResponseException;

import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ITS (Twirp-style RPC, every call a JSON POST with a Bearer key): {@code <base>.Shop/AuthorizeShop} answers
 * {@code shop_request} (the shop must log in at {@code auth_url}; ITS then redirects to our callback with
 * {@code shop_id}) or {@code shop_key}, which {@code .Shop/CurrentShop} verifies before it counts as linked.
 */
public class ItsAdapter extends ProviderAdapter {
    static final String AUTHORIZE_SHOP = ".Shop/AuthorizeShop";
    static final String CURRENT_SHOP = ".Shop/CurrentShop";
    /** Exchange property: the {@code shop_id} ITS sent to our callback. */
    public static final String CALLBACK_SHOP_ID = "itsCallbackShopId";
    /** Exchange property: a shop key AuthorizeShop returned, still to be verified. */
    public static final String SHOP_KEY = "itsShopKey";
    /** The partner key setting ({@code hub.providers.its.api-key}), also what the simulator's credentials set. */
    static final String API_KEY_SETTING = "api-key";
    static final InputField SHOP_ID = InputField.of("shopId", InputField.Format.digits("must be the numeric shop id ITS issued"));
    static final InputField EXTERNAL_SHOP_ID = InputField.text("externalShopId");
    static final InputField EXTERNAL_USER_ID = InputField.text("externalUserId");
    static final InputField SHOP_NAME = InputField.text("shopName");
    static final InputField REDIRECT_URL = InputField.of("redirectUrl", InputField.Format.HTTP_URL)
            .described("http(s) page the merchant's browser returns to after the ITS link");

    public ItsAdapter(ObjectMapper mapper) {
        super(mapper);
    }

    @Override
    public String name() {
        return "its";
    }

    @Override
    public String displayName() {
        return "ITS";
    }

    @Override
    public List<InputField> inputFields() {
        return List.of(SHOP_ID, EXTERNAL_SHOP_ID, EXTERNAL_USER_ID, SHOP_NAME, REDIRECT_URL);
    }

    @Override
    public List<String> credentialFields() {
        return List.of("shopId", "shopKey");
    }

    /** ITS sends the browser back with {@code ?token=…&shop_id=…} (route {@code callback-its}). */
    @Override
    public Map<String, Boolean> callbackParameters() {
        Map<String, Boolean> parameters = new LinkedHashMap<>();
        parameters.put("token", false);
        parameters.put("shop_id", true);
        return parameters;
    }

    @Override
    public ProviderSandbox sandbox() {
        return new ItsSandbox();
    }

    @Override
    protected List<String> requiredSettings() {
        return List.of(API_KEY_SETTING);
    }

    /** The ITS shop the merchant authorized: by its id, or by the merchant's contact and external ids. */
    @Override
    public List<String> accountInputs(OnboardingRequest request) {
        return Arrays.asList(input(request, SHOP_ID), request.merchant().email(), request.merchant().phone(),
                input(request, EXTERNAL_SHOP_ID), input(request, EXTERNAL_USER_ID));
    }

    @Override
    protected void buildRequest(Exchange exchange, OnboardingRequest request, Message message) {
        message.setHeader("Authorization", "Bearer " + settings().value(API_KEY_SETTING));
        String redirectUrl = callbackUrl(exchange);
        String shopId = exchange.getProperty(CALLBACK_SHOP_ID, input(request, SHOP_ID), String.class);
        Map<String, String> body = new LinkedHashMap<>();
        if (shopId != null) {
            // a known shop: shop_id may not be combined with email/phone
            body.put("shop_id", shopId);
        } else {
            putIfPresent(body, "email", request.merchant().email());
            putIfPresent(body, "phone", request.merchant().phone());
            putIfPresent(body, "name", request.merchant().name());
            putIfPresent(body, "shop_name", input(request, SHOP_NAME));
            putIfPresent(body, "external_shop_id", input(request, EXTERNAL_SHOP_ID));
            putIfPresent(body, "external_user_id", input(request, EXTERNAL_USER_ID));
        }
        body.put("redirect_url", redirectUrl);
        json(message, body, mapper);
        exchange.setProperty(URL, settings().url(AUTHORIZE_SHOP));
    }

    /** AuthorizeShop's answer: an action for the merchant, or a shop key left in {@link #SHOP_KEY} to verify. */
    @Override
    public ProviderResult parseResponse(Exchange exchange) {
        String body = body(exchange);
        JsonNode json = tree(body);
        String type = text(json, "type");
        String token = text(json, "auth_token");
        if ("shop_request".equals(type) && text(json, "auth_url") != null) {
            int expires = json.path("expires_in").asInt(900);
            return ProviderResult.actionRequired(name(),
                    new ProviderResult.Action("AUTHORIZE", text(json, "auth_url"), expires), null, attempts(exchange));
        }
        if ("shop_key".equals(type) && token != null && !token.isBlank()) {
            exchange.setProperty(SHOP_KEY, token);
            return null;
        }
        throw new UnexpectedResponseException("ITS AuthorizeShop answered without a shop_request auth_url or a shop_key",
                status(exchange), body);
    }

    /** Our callback: ITS sent the browser back with {@code shop_id}; the merchant's own page is the next stop. */
    public void acceptCallback(Exchange exchange) {
        String shopId = exchange.getMessage().getHeader("shop_id", String.class);
        if (shopId == null || !shopId.matches("\\d{1,19}")) {
            throw new InvalidRequestException(List.of(new Violation("shop_id", "is missing or not the numeric ITS shop id")));
        }
        exchange.setProperty(CALLBACK_SHOP_ID, shopId);
        OnboardingRequest request = exchange.getProperty(REQUEST, OnboardingRequest.class);
        if (input(request, REDIRECT_URL) != null) {
            exchange.setProperty(CallbackUrls.REDIRECT, input(request, REDIRECT_URL));
        }
    }

    /**
     * On the merchant page: ITS's {@code auth_url} expires after {@code expires_in} (900 s), so the button asks ITS for
     * a fresh one when it is pressed; once the shop is linked, a link on to the caller's {@code its.redirectUrl}.
     */
    @Override
    public MerchantStep merchantStep(ProviderResult result, OnboardingRequest request, Locale locale) {
        return switch (result.status()) {
            case ACTION_REQUIRED -> MerchantStep.start();
            case SUCCEEDED -> MerchantStep.continueTo(input(request, REDIRECT_URL));
            case FAILED -> MerchantStep.NONE;
        };
    }

    /** CurrentShop with the shop key as Bearer, body {@code {}}. */
    public void prepareCurrentShop(Exchange exchange) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader("Authorization", "Bearer " + exchange.getProperty(SHOP_KEY, String.class));
        json(message, Map.of(), mapper);
        exchange.setProperty(URL, settings().url(CURRENT_SHOP));
    }

    public ProviderResult parseCurrentShop(Exchange exchange) {
        String body = body(exchange);
        String id = text(tree(body), "id");
        if (id == null || id.isBlank()) {
            throw new UnexpectedResponseException("ITS CurrentShop answered without the shop id", status(exchange), body);
        }
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("shopId", id);
        credentials.put("shopKey", exchange.getProperty(SHOP_KEY, String.class));
        return ProviderResult.succeeded(name(), credentials, attempts(exchange));
    }

    /** Twirp error body {@code {"code", "msg", "meta"}}: the code decides, the status is the fallback. */
    @Override
    public ProviderError mapError(int status, String body) {
        JsonNode json = tree(body);
        String code = text(json, "code");
        String msg = json != null ? text(json, "msg") : excerpt(body);
        String kind = code != null ? code : switch (status) {
            case 400 -> "invalid_argument";
            case 401 -> "unauthenticated";
            case 403 -> "permission_denied";
            case 404 -> "bad_route";
            default -> "";
        };
        return switch (kind) {
            case "invalid_argument" -> ProviderError.of(ErrorCode.INVALID_REQUEST, "ITS refused a value in the request", status, code, msg);
            case "unauthenticated" -> ProviderError.of(ErrorCode.PARTNER_AUTH_FAILED,
                    "ITS rejected the key (" + setting(API_KEY_SETTING) + ", or the shop key)", status, code, msg);
            case "permission_denied" -> ProviderError.of(ErrorCode.ACCOUNT_NOT_LINKED,
                    "This ITS shop never logged in through this partner: onboard it without its.shopId", status, code, msg);
            case "bad_route" -> ProviderError.of(ErrorCode.NOT_FOUND, "ITS does not know this route (check the base URL)", status, code, msg);
            case "internal" -> ProviderError.of(ErrorCode.PROVIDER_ERROR, "ITS had an internal error", status, code, msg);
            default -> ProviderError.of(ErrorCode.forHttpStatus(status), "ITS answered HTTP " + status, status, code, msg);
        };
    }
}
