package vn.onboardinghub.providers.ghtk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.ProviderError;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.InputProblems;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderSandbox;
import vn.onboardinghub.providers.UnexpectedResponseException;

import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * GHTK {@code POST /services/shops/token}: partner {@code Token} header (and {@code X-Client-Source} when
 * configured), the shop's email and password in the body. GHTK reports failures as {@code success:false},
 * also with HTTP 200, so the body decides, not the status.
 */
public class GhtkAdapter extends ProviderAdapter {
    static final String PATH = "/services/shops/token";
    static final String WRONG_LOGIN = "Dữ liệu đăng nhập không hợp lệ";
    static final String NO_PERMISSION = "Tài khoản của bạn không có quyền sử dụng API này";
    /** The partner token setting ({@code hub.providers.ghtk.token}), also what the simulator's credentials set. */
    static final String TOKEN_SETTING = "token";
    static final String CLIENT_SOURCE_SETTING = "client-source";
    static final InputField EMAIL = InputField.of("email", InputField.Format.EMAIL).described("defaults to merchant.email");
    static final InputField PASSWORD = InputField.text("password").required().secret();

    public GhtkAdapter(ObjectMapper mapper) {
        super(mapper);
    }

    @Override
    public String name() {
        return "ghtk";
    }

    @Override
    public String displayName() {
        return "GHTK";
    }

    @Override
    public List<InputField> inputFields() {
        return List.of(EMAIL, PASSWORD);
    }

    /** {@code ghtk.email} may be left out when the merchant's email is the shop's. */
    @Override
    public void checkInput(OnboardingRequest request, InputProblems problems) {
        if (input(request, EMAIL) == null) {
            String merchantEmail = request.merchant().email();
            if (merchantEmail == null || merchantEmail.isBlank()) {
                problems.missing(name() + "." + EMAIL.name(), "is required for GHTK (or set merchant.email)");
            } else if (!InputField.Format.EMAIL.accepts().test(merchantEmail)) {
                problems.invalid(name() + "." + EMAIL.name(), "is not an email address");
            }
        }
    }

    @Override
    public List<String> credentialFields() {
        return List.of("shopCode", "token");
    }

    @Override
    public ProviderSandbox sandbox() {
        return new GhtkSandbox();
    }

    @Override
    protected List<String> requiredSettings() {
        return List.of(TOKEN_SETTING);
    }

    @Override
    protected List<String> optionalSettings() {
        return List.of(CLIENT_SOURCE_SETTING);
    }

    /** GHTK hands a shop's token to whoever knows the shop's email and password. */
    @Override
    public List<String> accountInputs(OnboardingRequest request) {
        return Arrays.asList(email(request), input(request, PASSWORD));
    }

    /** {@code ghtk.email}, or else the merchant's. */
    private String email(OnboardingRequest request) {
        String email = input(request, EMAIL);
        return email != null ? email : request.merchant().email();
    }

    @Override
    protected void buildRequest(Exchange exchange, OnboardingRequest request, Message message) {
        message.setHeader("Token", settings().value(TOKEN_SETTING));
        if (settings().value(CLIENT_SOURCE_SETTING) != null) {
            message.setHeader("X-Client-Source", settings().value(CLIENT_SOURCE_SETTING));
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("email", email(request));
        body.put("password", input(request, PASSWORD));
        json(message, body, mapper);
        exchange.setProperty(URL, settings().url(PATH));
    }

    @Override
    public ProviderResult parseResponse(Exchange exchange) {
        String body = body(exchange);
        JsonNode json = tree(body);
        if (json != null && json.path("success").asBoolean(false)) {
            String code = text(json.get("data"), "code");
            String token = text(json.get("data"), "token");
            if (code != null && token != null) {
                Map<String, String> credentials = new LinkedHashMap<>();
                credentials.put("shopCode", code);
                credentials.put("token", token);
                return ProviderResult.succeeded(name(), credentials, attempts(exchange));
            }
        }
        if (json != null && json.has("success") && !json.path("success").asBoolean(true)) {
            return errorResult(mapError(status(exchange), body), attempts(exchange));
        }
        throw new UnexpectedResponseException("GHTK answered without success, data.code and data.token", status(exchange), body);
    }

    @Override
    public ProviderError mapError(int status, String body) {
        JsonNode json = tree(body);
        String message = text(json, "message");
        String code = text(json, "error_code");
        String providerMessage = json != null ? message : excerpt(body);
        String known = message == null ? "" : Normalizer.normalize(message.strip(), Normalizer.Form.NFC);
        if (known.equals(WRONG_LOGIN)) {
            return ProviderError.of(ErrorCode.INVALID_CREDENTIALS,
                    "GHTK rejected the shop's email or password", status, code, providerMessage);
        }
        if (known.equals(NO_PERMISSION)) {
            return ProviderError.of(ErrorCode.PERMISSION_DENIED,
                    "This GHTK partner account may not retrieve shop tokens (only B2C partners may)", status, code, providerMessage);
        }
        if ("20101".equals(code) || status == 401) {
            return ProviderError.of(ErrorCode.PARTNER_AUTH_FAILED,
                    "GHTK rejected the partner token (" + setting(TOKEN_SETTING) + ")", status, code, providerMessage);
        }
        if ("10104".equals(code) || status == 404) {
            return ProviderError.of(ErrorCode.NOT_FOUND, "GHTK does not know this endpoint", status, code, providerMessage);
        }
        if (status >= 200 && status < 300 || status == 405) {
            return ProviderError.of(ErrorCode.UNEXPECTED_RESPONSE,
                    "GHTK refused the request with an error the hub does not know", status, code, providerMessage);
        }
        return ProviderError.of(ErrorCode.forHttpStatus(status), "GHTK answered HTTP " + status, status, code, providerMessage);
    }
}
