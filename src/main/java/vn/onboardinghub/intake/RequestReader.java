package vn.onboardinghub.intake;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingRequest.Merchant;

import java.net.URI;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a JSON document into a validated {@link OnboardingRequest}, or refuses it with every violation and its
 * field path. Nothing that fails here reaches a provider.
 */
public class RequestReader {
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,19}");
    private static final int MAX_TEXT = 500;
    private static final Pattern FORMAT = Pattern.compile("\\p{Cf}");
    private static final String DEFAULT_PROVIDERS =
            "; providers defaults to every enabled provider — name the ones you want in providers";

    private final ObjectMapper mapper;
    private final Set<String> knownProviders;
    private final List<String> enabledProviders;

    public RequestReader(ObjectMapper mapper, Set<String> knownProviders, List<String> enabledProviders) {
        this.mapper = mapper;
        this.knownProviders = knownProviders;
        this.enabledProviders = enabledProviders;
    }

    public OnboardingRequest read(String json) {
        if (json == null || json.isBlank()) {
            throw invalid("$", "a JSON request body is required");
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidRequestException(List.of(JsonViolations.unreadable(e)));
        }
        if (tree == null || !tree.isObject()) {
            throw invalid("$", "must be a JSON object");
        }
        OnboardingRequest request;
        try {
            request = mapper.treeToValue(tree, OnboardingRequest.class);
        } catch (JsonMappingException e) {
            throw new InvalidRequestException(List.of(JsonViolations.wrongType(path(e), e, tree)));
        } catch (JacksonException e) {
            throw new InvalidRequestException(List.of(JsonViolations.unreadable(e)));
        }
        return validate(request);
    }

    /** Validates a request built by a channel (e.g. a CSV row) and normalizes phone and provider list. */
    public OnboardingRequest validate(OnboardingRequest request) {
        List<Violation> violations = new ArrayList<>();
        Merchant m = request.merchant();
        if (m == null) {
            violations.add(new Violation("merchant", "is required"));
            throw new InvalidRequestException(violations);
        }
        // ids may hold any text, line breaks included (a CSV field may); logs encode control characters
        String externalId = m.externalId() == null ? null : canonicalId(m.externalId());
        required(violations, "merchant.externalId", externalId);
        if (request.requestId() != null && request.requestId().length() > MAX_TEXT) {
            violations.add(new Violation("requestId", "is longer than " + MAX_TEXT + " characters"));
        }
        required(violations, "merchant.name", m.name());
        String phone = null;
        if (required(violations, "merchant.phone", m.phone())) {
            phone = VietnamesePhone.national(m.phone()).orElse(null);
            if (phone == null) {
                violations.add(new Violation("merchant.phone",
                        "is not a Vietnamese phone number (0 followed by 9 or 10 digits, or 84…/+84…)"));
            }
        }
        if (m.email() != null && !EMAIL.matcher(m.email()).matches()) {
            violations.add(new Violation("merchant.email", "is not an email address"));
        }
        if (m.lat() != null && (m.lat() < -90 || m.lat() > 90)) {
            violations.add(new Violation("merchant.lat", "must be between -90 and 90"));
        }
        if (m.lng() != null && (m.lng() < -180 || m.lng() > 180)) {
            violations.add(new Violation("merchant.lng", "must be between -180 and 180"));
        }
        if (m.countryCode() != null && !m.countryCode().matches("[A-Za-z]{2}")) {
            violations.add(new Violation("merchant.countryCode", "must be a two-letter country code"));
        }
        lengths(violations, m);

        List<String> providers = providers(violations, request.providers());
        // a caller who named no provider may not know that every enabled one is then asked: say so, and how to choose
        String byDefault = request.providers() == null || request.providers().isEmpty() ? DEFAULT_PROVIDERS : "";
        if (providers.contains("ghtk")) {
            String email = request.ghtk() != null && request.ghtk().email() != null ? request.ghtk().email() : m.email();
            if (email == null || email.isBlank()) {
                violations.add(new Violation("ghtk.email", "is required for GHTK (or set merchant.email)" + byDefault));
            } else if (!EMAIL.matcher(email).matches()) {
                violations.add(new Violation("ghtk.email", "is not an email address"));
            }
            String password = request.ghtk() == null ? null : request.ghtk().password();
            if (password == null || password.isBlank()) {
                violations.add(new Violation("ghtk.password", "is required for GHTK" + byDefault));
            }
        }
        if (providers.contains("socdo")) {
            String zaloUserId = request.socdo() == null ? null : request.socdo().zaloUserId();
            if (zaloUserId == null || zaloUserId.isBlank()) {
                violations.add(new Violation("socdo.zaloUserId", "is required for Socdo" + byDefault));
            }
        }
        if (request.socdo() != null && request.socdo().gender() != null
                && !Set.of("male", "female").contains(request.socdo().gender())) {
            violations.add(new Violation("socdo.gender", "must be male or female"));
        }
        if (request.its() != null) {
            if (request.its().redirectUrl() != null && !isHttpUrl(request.its().redirectUrl())) {
                violations.add(new Violation("its.redirectUrl", "must be an absolute http(s) URL"));
            }
            if (request.its().shopId() != null && !DIGITS.matcher(request.its().shopId()).matches()) {
                violations.add(new Violation("its.shopId", "must be the numeric shop id ITS issued"));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        Merchant normalized = new Merchant(externalId, m.name().strip(), phone, m.email(), m.address(),
                m.lat(), m.lng(), m.countryCode());
        return request.withMerchant(normalized).withProviders(providers);
    }

    /**
     * The merchant id as the hub compares it: Unicode NFKC (a full-width {@code Ｍ} is {@code M}), without invisible
     * format characters (zero-width spaces, joiners, BOM) and surrounding white space. Letter case is kept: ids are
     * case-sensitive.
     */
    static String canonicalId(String id) {
        return FORMAT.matcher(Normalizer.normalize(id, Normalizer.Form.NFKC)).replaceAll("").strip();
    }

    private List<String> providers(List<Violation> violations, List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return enabledProviders;
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < requested.size(); i++) {
            String name = requested.get(i);
            if (name == null || !knownProviders.contains(name)) {
                violations.add(new Violation("providers[" + i + "]", "is not a known provider (one of " + knownProviders + ")"));
            } else {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    private static void lengths(List<Violation> violations, Merchant m) {
        String[][] fields = {{"merchant.externalId", m.externalId()}, {"merchant.name", m.name()},
                {"merchant.address", m.address()}, {"merchant.email", m.email()}};
        for (String[] f : fields) {
            if (f[1] != null && f[1].length() > MAX_TEXT) {
                violations.add(new Violation(f[0], "is longer than " + MAX_TEXT + " characters"));
            }
        }
    }

    private static boolean required(List<Violation> violations, String field, String value) {
        if (value == null || value.isBlank()) {
            violations.add(new Violation(field, "is required"));
            return false;
        }
        return true;
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = URI.create(value);
            return uri.getHost() != null && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "$" : sb.toString();
    }

    private static InvalidRequestException invalid(String field, String message) {
        return new InvalidRequestException(List.of(new Violation(field, message)));
    }
}
