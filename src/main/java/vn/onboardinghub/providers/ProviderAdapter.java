package vn.onboardinghub.providers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.ProviderError;
import vn.onboardinghub.model.ProviderResult;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One provider: a mapper from the normalized request to the provider's request, a parser from the provider's
 * answer (and every documented error) to the normalized result, its input fields and its sandbox simulator. The
 * {@link ProviderCatalog} finds every subclass in its packages. The provider's route ({@code provider-<name>}, from
 * the {@code provider-single-call} template, or {@code routes/providers/<name>.camel.yaml} for a multi-step provider)
 * calls {@link #prepareRequest}, the HTTP endpoint, then {@link #parseResponse}; non-2xx answers and network failures
 * go through {@link ProviderCalls} and {@link #mapError}. A subclass has a public constructor taking the
 * {@link ObjectMapper}.
 */
public abstract class ProviderAdapter {
    /** Exchange property holding the validated {@link OnboardingRequest}. */
    public static final String REQUEST = "onboardingRequest";
    /** Exchange property holding the URL the route's HTTP step calls. */
    public static final String URL = "providerUrl";

    protected final ObjectMapper mapper;
    private volatile ProviderSettings settings;
    private volatile CallbackUrls callbacks;

    protected ProviderAdapter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * The provider's name in requests, results, settings ({@code hub.providers.<name>.*}), routes
     * ({@code provider-<name>}) and metrics: lower-case letters and digits.
     */
    public abstract String name();

    /** How people write it, in messages: {@code GHTK}. */
    public abstract String displayName();

    public abstract ProviderSandbox sandbox();

    /**
     * The fields of the provider's section of a request ({@code "<name>": {...}}, CSV columns {@code <name>_<field>}):
     * checked by the hub before anything is called, described in the API document.
     */
    public List<InputField> inputFields() {
        return List.of();
    }

    /**
     * Checks beyond each field's own (required, format), run when the provider is requested: e.g. GHTK's email,
     * which may come from {@code merchant.email} instead.
     */
    public void checkInput(OnboardingRequest request, InputProblems problems) {
    }

    /** The names of the credentials a success returns ({@code shopCode}, {@code token}), for the API document. */
    public abstract List<String> credentialFields();

    /**
     * For a provider that finishes in the merchant's browser: the query parameters its redirect brings to
     * {@code GET /api/v1/callbacks/<name>} besides {@code state} (name → required), handled by its route
     * {@code callback-<name>}. Empty: no callback.
     */
    public Map<String, Boolean> callbackParameters() {
        return Map.of();
    }

    /** One field of this provider's section of the request, or null. */
    protected final String input(OnboardingRequest request, String field) {
        return request.input(name(), field);
    }

    /** The value of one of {@link #inputFields()} in the request, or null: the adapter names the field it declared. */
    protected final String input(OnboardingRequest request, InputField field) {
        return request.input(name(), field.name());
    }

    /** The full name of one of this provider's settings, for messages: {@code hub.providers.<name>.<key>}. */
    protected final String setting(String key) {
        return "hub.providers." + name() + "." + key;
    }

    /** Setting keys ({@code hub.providers.<name>.<key>}) without which no call can be made. */
    protected abstract List<String> requiredSettings();

    /** Setting keys that are used when present, e.g. GHTK's {@code client-source}. */
    protected List<String> optionalSettings() {
        return List.of();
    }

    /** Every {@code hub.providers.<name>.<key>} this provider reads besides {@code enabled} and {@code base-url}. */
    public List<String> settingKeys() {
        return Stream.concat(requiredSettings().stream(), optionalSettings().stream()).toList();
    }

    /** Builds the provider call on {@code message}, whose headers are already cleared. */
    protected abstract void buildRequest(Exchange exchange, OnboardingRequest request, Message message);

    /**
     * The request's inputs this provider knows the merchant's account by (e.g. GHTK's email and password): a success
     * stored for a merchant is handed out again only to a request with the same inputs, from the same client.
     */
    public abstract List<String> accountInputs(OnboardingRequest request);

    /** Interprets a 2xx answer. */
    public abstract ProviderResult parseResponse(Exchange exchange);

    /** Maps a non-2xx answer, keeping the provider's status, code and message unchanged. */
    public abstract ProviderError mapError(int status, String body);

    /** The result for a mapped error; most errors are simply FAILED. */
    public ProviderResult errorResult(ProviderError error, int attempts) {
        return ProviderResult.failed(name(), error, attempts);
    }

    public void configure(ProviderSettings settings, CallbackUrls callbacks) {
        this.settings = settings;
        this.callbacks = callbacks;
    }

    /** The hub's signed callback URLs, for providers that finish in the merchant's browser. */
    protected CallbackUrls callbacks() {
        return callbacks;
    }

    /**
     * The hub's signed callback URL for the onboarding this exchange runs ({@code onboardingId}); it brings the
     * browser back to the merchant page when the merchant started this run there ({@link CallbackUrls#FROM_PAGE}).
     */
    protected final String callbackUrl(Exchange exchange) {
        return callbacks.callbackUrl(name(), exchange.getProperty("onboardingId", String.class),
                exchange.getProperty(CallbackUrls.FROM_PAGE, String.class));
    }

    /**
     * How this provider's result appears on the merchant page, in {@code locale}. By default: an action with a
     * {@code url} is a button that opens it; anything else shows only its state. A provider whose action goes stale
     * (an authorization that expires) answers {@link MerchantStep#start()}; one whose action happens elsewhere answers
     * {@link MerchantStep#instructions}, its texts in its own bundle ({@link #pageText}).
     */
    public MerchantStep merchantStep(ProviderResult result, OnboardingRequest request, Locale locale) {
        if (result.status() == ProviderResult.ProviderStatus.ACTION_REQUIRED && result.action() != null
                && result.action().url() != null) {
            return MerchantStep.open(result.action().url());
        }
        return MerchantStep.NONE;
    }

    /**
     * One of this provider's texts for the merchant page: the resource bundle {@code page} in the adapter's own
     * package ({@code page.properties} in Vietnamese, {@code page_en.properties} in English, UTF-8).
     */
    protected final String pageText(String key, Locale locale) {
        try {
            return ResourceBundle.getBundle(getClass().getPackageName() + ".page", locale, getClass().getClassLoader(),
                    ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES)).getString(key);
        } catch (MissingResourceException e) {
            throw new IllegalStateException(name() + " has no merchant page text " + key, e);
        }
    }

    public ProviderSettings settings() {
        return settings;
    }

    public boolean enabled() {
        return settings != null && settings.enabled();
    }

    /**
     * Clears every header (caller headers such as {@code X-API-Key} and Camel's own never reach a provider),
     * then lets the adapter set the provider's headers, query and body.
     */
    public void prepareRequest(Exchange exchange) {
        ProviderSettings s = settings;
        if (s == null || !s.enabled()) {
            throw new NotConfiguredException(name() + " is disabled (" + setting("enabled") + "=false)");
        }
        if (s.baseUrl() == null || s.baseUrl().isBlank()) {
            throw new NotConfiguredException(name() + " has no base URL (" + setting("base-url") + ")");
        }
        for (String key : requiredSettings()) {
            if (s.value(key) == null) {
                throw new NotConfiguredException(name() + " is missing " + setting(key));
            }
        }
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setBody(null);
        buildRequest(exchange, exchange.getProperty(REQUEST, OnboardingRequest.class), message);
    }

    protected static void json(Message message, Object body, ObjectMapper mapper) {
        try {
            // the enum, not a String: camel-http would convert the String on every call
            message.setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
            message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
            message.setBody(mapper.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write request body", e);
        }
    }

    /** Adds an optional field to a provider's JSON body only when it has a value. */
    protected static void putIfPresent(Map<String, String> body, String key, String value) {
        if (value != null && !value.isBlank()) {
            body.put(key, value);
        }
    }

    /** The body as a JSON object, or null when it is not one. */
    protected JsonNode tree(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = mapper.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    protected static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    protected static int status(Exchange exchange) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return status == null ? 200 : status;
    }

    protected static String body(Exchange exchange) {
        return exchange.getMessage().getBody(String.class);
    }

    protected static int attempts(Exchange exchange) {
        return ProviderCalls.attempts(exchange);
    }

    /** JSON string values of fields whose names say they are secrets. */
    private static final Pattern SECRET_VALUES = Pattern.compile(
            "(\"[A-Za-z_]*(?:token|password|secret|key)\"\\s*:\\s*\")[^\"]*", Pattern.CASE_INSENSITIVE);

    /**
     * A provider's raw body, bounded, for {@code providerMessage} when it has no structured message. An answer the
     * adapter could not interpret may still carry credentials: their values are masked.
     */
    public static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        String b = SECRET_VALUES.matcher(body.strip()).replaceAll("$1***");
        return b.length() > 300 ? b.substring(0, 300) + "…" : b;
    }
}
