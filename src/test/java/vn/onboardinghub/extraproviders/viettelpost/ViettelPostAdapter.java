package vn.onboardinghub.extraproviders.viettelpost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.ProviderError;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderSandbox;
import vn.onboardinghub.providers.UnexpectedResponseException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fifth provider written only from docs/adding-a-provider.md, in the style of Viettel Post's partner
 * API: {@code POST /v2/partner/register} with a Bearer token; every answer is the envelope
 * {@code {status, error, message, data}}, also an error at HTTP 200 ({@code "error": true}).
 */
public class ViettelPostAdapter extends ProviderAdapter {
    static final String PATH = "/v2/partner/register";
    /** The partner token setting ({@code hub.providers.viettelpost.token}), which the simulator's credentials set too. */
    static final String TOKEN_SETTING = "token";
    /** The password of the Viettel Post account created for the merchant. */
    static final InputField PASSWORD = InputField.text("password").required().secret();
    /** The PIN guarding the account's cash-on-delivery payouts: a secret, though its name does not say so. */
    static final InputField PIN = InputField.text("pin").secret();
    /** The ward where the merchant ships from. */
    static final InputField WARD_ID = InputField.of("wardId", InputField.Format.digits("must be the numeric Viettel Post ward id"));

    public ViettelPostAdapter(ObjectMapper mapper) {
        super(mapper);
    }

    @Override
    public String name() {
        return "viettelpost";
    }

    @Override
    public String displayName() {
        return "Viettel Post";
    }

    @Override
    public ProviderSandbox sandbox() {
        return new ViettelPostSandbox();
    }

    @Override
    protected List<String> requiredSettings() {
        return List.of(TOKEN_SETTING);
    }

    @Override
    public List<InputField> inputFields() {
        return List.of(PASSWORD, PIN, WARD_ID);
    }

    @Override
    public List<String> credentialFields() {
        return List.of("userId", "token");
    }

    @Override
    public List<String> accountInputs(OnboardingRequest request) {
        return Arrays.asList(request.merchant().phone(), input(request, PASSWORD));
    }

    @Override
    protected void buildRequest(Exchange exchange, OnboardingRequest request, Message message) {
        message.setHeader("Authorization", "Bearer " + settings().value(TOKEN_SETTING));
        Map<String, String> body = new LinkedHashMap<>();
        body.put("phone", request.merchant().phone());
        body.put("name", request.merchant().name());
        putIfPresent(body, "email", request.merchant().email());
        body.put("password", input(request, PASSWORD));
        putIfPresent(body, "pin", input(request, PIN));
        putIfPresent(body, "ward_id", input(request, WARD_ID));
        json(message, body, mapper);
        exchange.setProperty(URL, settings().url(PATH));
    }

    @Override
    public ProviderResult parseResponse(Exchange exchange) {
        String body = body(exchange);
        JsonNode json = tree(body);
        if (json != null && json.path("error").asBoolean(false)) {
            return errorResult(mapError(json.path("status").asInt(status(exchange)), body), attempts(exchange));
        }
        String userId = text(json == null ? null : json.get("data"), "userId");
        String token = text(json == null ? null : json.get("data"), "token");
        if (userId == null || token == null) {
            throw new UnexpectedResponseException("Viettel Post answered without data.userId and data.token", status(exchange), body);
        }
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("userId", userId);
        credentials.put("token", token);
        return ProviderResult.succeeded(name(), credentials, attempts(exchange));
    }

    /** The envelope's {@code status} is the error's kind, at HTTP 200 as at any other status. */
    @Override
    public ProviderError mapError(int status, String body) {
        JsonNode json = tree(body);
        String message = json != null ? text(json, "message") : excerpt(body);
        return switch (status) {
            case 400 -> ProviderError.of(ErrorCode.INVALID_REQUEST, "Viettel Post refused a value in the request", status, null, message);
            case 401 -> ProviderError.of(ErrorCode.PARTNER_AUTH_FAILED,
                    "Viettel Post rejected the partner token (" + setting(TOKEN_SETTING) + ")", status, null, message);
            case 409 -> ProviderError.of(ErrorCode.ALREADY_EXISTS, "Viettel Post already has an account for this phone", status, null, message);
            default -> ProviderError.of(ErrorCode.forHttpStatus(status), "Viettel Post answered HTTP " + status, status, null, message);
        };
    }
}
