package vn.onboardinghub.providers.ahamove;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import vn.onboardinghub.model.VietnamesePhone;
import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.ProviderError;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderSandbox;
import vn.onboardinghub.providers.UnexpectedResponseException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Ahamove {@code GET /v1/partner/register_account}: every parameter in the query string, {@code mobile} as
 * {@code 84…}. v1 does not create users; it updates the account for the phone and returns its tokens.
 */
public class AhamoveAdapter extends ProviderAdapter {
    static final String PATH = "/v1/partner/register_account";
    /** The partner key setting ({@code hub.providers.ahamove.api-key}), also what the simulator's credentials set. */
    static final String API_KEY_SETTING = "api-key";
    static final InputField PARENT_ID = InputField.text("parentId");

    public AhamoveAdapter(ObjectMapper mapper) {
        super(mapper);
    }

    @Override
    public String name() {
        return "ahamove";
    }

    @Override
    public String displayName() {
        return "Ahamove";
    }

    @Override
    public List<InputField> inputFields() {
        return List.of(PARENT_ID);
    }

    @Override
    public List<String> credentialFields() {
        return List.of("token", "refreshToken");
    }

    @Override
    public ProviderSandbox sandbox() {
        return new AhamoveSandbox();
    }

    @Override
    protected List<String> requiredSettings() {
        return List.of(API_KEY_SETTING);
    }

    /** Ahamove registers (or finds) the account by the phone; the email and parent account are part of it. */
    @Override
    public List<String> accountInputs(OnboardingRequest request) {
        return Arrays.asList(request.merchant().phone(), request.merchant().email(),
                input(request, PARENT_ID));
    }

    @Override
    protected void buildRequest(Exchange exchange, OnboardingRequest request, Message message) {
        OnboardingRequest.Merchant m = request.merchant();
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("api_key", settings().value(API_KEY_SETTING));
        query.put("mobile", VietnamesePhone.international(m.phone()));
        query.put("name", m.name());
        query.put("address", m.address());
        query.put("lat", m.lat());
        query.put("lng", m.lng());
        query.put("email", m.email());
        query.put("parent_id", input(request, PARENT_ID));
        query.put("country_code", m.countryCode());
        StringJoiner qs = new StringJoiner("&");
        query.forEach((k, v) -> {
            if (v != null && !v.toString().isBlank()) {
                qs.add(k + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
            }
        });
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.GET);
        message.setHeader(Exchange.HTTP_QUERY, qs.toString());
        exchange.setProperty(URL, settings().url(PATH));
    }

    @Override
    public ProviderResult parseResponse(Exchange exchange) {
        String body = body(exchange);
        JsonNode json = tree(body);
        String token = text(json, "token");
        String refreshToken = text(json, "refresh_token");
        if (token == null || token.isBlank()) {
            throw new UnexpectedResponseException("Ahamove answered without a token", status(exchange), body);
        }
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("token", token);
        credentials.put("refreshToken", refreshToken);
        return ProviderResult.succeeded(name(), credentials, attempts(exchange));
    }

    /** Ahamove documents its errors by status; the body ({@code title}, {@code description}) is only used for words. */
    @Override
    public ProviderError mapError(int status, String body) {
        JsonNode json = tree(body);
        String title = text(json, "title");
        String description = text(json, "description") != null ? text(json, "description") : text(json, "message");
        String providerMessage = json != null ? description : excerpt(body);
        return switch (status) {
            case 401 -> ProviderError.of(ErrorCode.ACCOUNT_NOT_LINKED,
                    "The Ahamove account for this phone does not belong to this partner, or there is none", status, title, providerMessage);
            case 403 -> ProviderError.of(ErrorCode.ACCOUNT_LOCKED,
                    "The Ahamove account for this phone is locked or deactivated", status, title, providerMessage);
            case 404 -> ProviderError.of(ErrorCode.NOT_FOUND,
                    "Ahamove does not know the partner api_key or the parent_id", status, title, providerMessage);
            case 409 -> ProviderError.of(ErrorCode.ALREADY_EXISTS,
                    "Ahamove already has an account with this email", status, title, providerMessage);
            default -> ProviderError.of(ErrorCode.forHttpStatus(status),
                    "Ahamove answered HTTP " + status, status, title, providerMessage);
        };
    }
}
