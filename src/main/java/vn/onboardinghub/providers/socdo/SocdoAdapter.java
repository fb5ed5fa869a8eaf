package vn.onboardinghub.providers.socdo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.ProviderError;
import vn.onboardinghub.model.ProviderResult;
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
 * Socdo mini app {@code POST /mini-app/v1/register}: {@code Token-Seller} and {@code Shop-ID} headers, the Zalo
 * user in the body. 201 registers; 409 {@code need_login} means the Zalo user already has an account and must log in.
 */
public class SocdoAdapter extends ProviderAdapter {
    static final String PATH = "/mini-app/v1/register";
    /** The seller token and shop settings ({@code hub.providers.socdo.*}), also what the simulator's credentials set. */
    static final String TOKEN_SELLER_SETTING = "token-seller";
    static final String SHOP_ID_SETTING = "shop-id";
    static final InputField ZALO_USER_ID = InputField.text("zaloUserId").required();
    static final InputField AVATAR = InputField.text("avatar");
    static final InputField GENDER = InputField.of("gender", InputField.Format.oneOf("male", "female"));

    public SocdoAdapter(ObjectMapper mapper) {
        super(mapper);
    }

    @Override
    public String name() {
        return "socdo";
    }

    @Override
    public String displayName() {
        return "Socdo";
    }

    @Override
    public List<InputField> inputFields() {
        return List.of(ZALO_USER_ID, AVATAR, GENDER);
    }

    @Override
    public List<String> credentialFields() {
        return List.of("token", "userId", "username");
    }

    @Override
    public ProviderSandbox sandbox() {
        return new SocdoSandbox();
    }

    @Override
    protected List<String> requiredSettings() {
        return List.of(TOKEN_SELLER_SETTING, SHOP_ID_SETTING);
    }

    /** Socdo's account is the Zalo user's. */
    @Override
    public List<String> accountInputs(OnboardingRequest request) {
        return Arrays.asList(input(request, ZALO_USER_ID));
    }

    @Override
    protected void buildRequest(Exchange exchange, OnboardingRequest request, Message message) {
        message.setHeader("Token-Seller", settings().value(TOKEN_SELLER_SETTING));
        message.setHeader("Shop-ID", settings().value(SHOP_ID_SETTING));
        Map<String, String> body = new LinkedHashMap<>();
        body.put("zalo_user_id", input(request, ZALO_USER_ID));
        body.put("name", request.merchant().name());
        putIfPresent(body, "avatar", input(request, AVATAR));
        putIfPresent(body, "gender", input(request, GENDER));
        putIfPresent(body, "email", request.merchant().email());
        body.put("mobile", request.merchant().phone());
        json(message, body, mapper);
        exchange.setProperty(URL, settings().url(PATH));
    }

    @Override
    public ProviderResult parseResponse(Exchange exchange) {
        String body = body(exchange);
        JsonNode json = tree(body);
        String token = text(json, "token");
        JsonNode data = json == null ? null : json.get("data");
        if (json == null || !json.path("success").asBoolean(false) || token == null || data == null) {
            throw new UnexpectedResponseException("Socdo answered without success, token and data", status(exchange), body);
        }
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("token", token);
        credentials.put("userId", text(data, "user_id"));
        credentials.put("username", text(data, "username"));
        return ProviderResult.succeeded(name(), credentials, attempts(exchange));
    }

    @Override
    public ProviderError mapError(int status, String body) {
        JsonNode json = tree(body);
        String providerMessage = json != null ? text(json, "message") : excerpt(body);
        return switch (status) {
            case 400 -> ProviderError.of(ErrorCode.INVALID_REQUEST,
                    "Socdo refused the registration data (zalo_user_id and name are required)", status, null, providerMessage);
            case 401 -> ProviderError.of(ErrorCode.PARTNER_AUTH_FAILED,
                    "Socdo rejected the seller token (" + setting(TOKEN_SELLER_SETTING) + " / " + SHOP_ID_SETTING + ")", status, null, providerMessage);
            case 409 -> ProviderError.of(ErrorCode.ALREADY_REGISTERED,
                    "This Zalo user already has a Socdo account: the merchant must log in", status, null, providerMessage);
            default -> ProviderError.of(ErrorCode.forHttpStatus(status), "Socdo answered HTTP " + status, status, null, providerMessage);
        };
    }

    /**
     * On the merchant page, {@code LOGIN}: what to do in the Socdo mini app on Zalo (texts in this package's
     * {@code page*.properties}), with Socdo's own message.
     */
    @Override
    public MerchantStep merchantStep(ProviderResult result, OnboardingRequest request, Locale locale) {
        if (result.status() == ProviderResult.ProviderStatus.ACTION_REQUIRED && result.action() != null
                && "LOGIN".equals(result.action().type())) {
            return MerchantStep.instructions(pageText("login", locale), result.error() == null ? null : result.error().providerMessage());
        }
        return super.merchantStep(result, request, locale);
    }

    /** An existing Socdo account is not a failure: the merchant logs in instead. */
    @Override
    public ProviderResult errorResult(ProviderError error, int attempts) {
        if (error.code() == ErrorCode.ALREADY_REGISTERED) {
            return ProviderResult.actionRequired(name(), new ProviderResult.Action("LOGIN", null, null), error, attempts);
        }
        return super.errorResult(error, attempts);
    }
}
