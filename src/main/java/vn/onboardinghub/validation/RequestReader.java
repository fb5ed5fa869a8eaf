package vn.onboardinghub.validation;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import vn.onboardinghub.model.InvalidRequestException;
import vn.onboardinghub.model.OnboardingRequest.Merchant;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.VietnamesePhone;
import vn.onboardinghub.model.Violation;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.InputProblems;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a JSON document into a validated {@link OnboardingRequest}, or refuses it with every violation and its
 * field path. Nothing that fails here reaches a provider. The merchant is checked here; each provider's section by the
 * fields and checks its adapter declares.
 */
public class RequestReader {
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final int MAX_TEXT = 500;
    private static final Pattern FORMAT = Pattern.compile("\\p{Cf}");

    private final ObjectMapper mapper;
    private final ProviderCatalog catalog;
    private final Set<String> knownProviders;
    /** The providers a request naming none gets ({@code hub.providers.default}, the enabled ones); may be empty. */
    private final List<String> defaultProviders;
    /** What a violation of such a request adds: which providers it got, and how to choose. */
    private final String byDefaultHint;

    /**
     * @param defaultProviders the providers a request that names none is sent to: not every provider of the catalog,
     *                         so that a provider added later (perhaps with required inputs) changes nothing for callers
     *                         who do not name it
     */
    public RequestReader(ObjectMapper mapper, ProviderCatalog catalog, List<String> defaultProviders) {
        this.mapper = mapper;
        this.catalog = catalog;
        this.knownProviders = catalog.names();
        this.defaultProviders = List.copyOf(defaultProviders);
        for (String name : this.defaultProviders) {
            catalog.get(name);
        }
        this.byDefaultHint = "; providers defaults to " + String.join(", ", this.defaultProviders)
                + " — name the ones you want in providers";
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
        List<Violation> wrongTypes = sectionTypes(tree);
        if (!wrongTypes.isEmpty()) {
            // like a wrong type anywhere else in the document: reported alone
            throw new InvalidRequestException(wrongTypes);
        }
        return validate(request);
    }

    /**
     * Each provider's section is an object of text fields: the request model keeps text only, so a number or a list
     * where the provider declared a field is reported here, from the document itself.
     */
    private List<Violation> sectionTypes(JsonNode tree) {
        List<Violation> violations = new ArrayList<>();
        for (ProviderAdapter provider : catalog.all()) {
            JsonNode section = tree.get(provider.name());
            if (section == null || section.isNull()) {
                continue;
            }
            if (!section.isObject()) {
                violations.add(JsonViolations.wrongType(provider.name(), "an object", section, false));
                continue;
            }
            for (InputField field : provider.inputFields()) {
                JsonNode value = section.get(field.name());
                if (value != null && !value.isNull() && !value.isTextual()) {
                    violations.add(JsonViolations.wrongType(provider.name() + "." + field.name(), "text", value, field.isSecret()));
                }
            }
        }
        return violations;
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
        // a caller who named no provider may not know which ones are then asked: say so, and how to choose
        String byDefault = request.providers() == null || request.providers().isEmpty() ? byDefaultHint : "";
        Map<String, Map<String, String>> inputs = new LinkedHashMap<>();
        Set<String> secrets = new HashSet<>();
        for (ProviderAdapter provider : catalog.all()) {
            Map<String, String> section = input(provider, request, secrets);
            if (!section.isEmpty()) {
                inputs.put(provider.name(), section);
            }
        }
        OnboardingRequest withInputs = request.withInputs(inputs, secrets);
        for (ProviderAdapter provider : catalog.all()) {
            check(provider, withInputs, providers.contains(provider.name()), byDefault, violations);
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        Merchant normalized = new Merchant(externalId, m.name().strip(), phone, m.email(), m.address(),
                m.lat(), m.lng(), m.countryCode());
        return withInputs.withMerchant(normalized).withProviders(providers);
    }

    /**
     * The provider's declared fields of the request, blank ones left out (a blank value is no value); unknown fields
     * are ignored like unknown top-level fields. Secret fields are added to {@code secrets} as {@code provider.field}.
     */
    private static Map<String, String> input(ProviderAdapter provider, OnboardingRequest request, Set<String> secrets) {
        Map<String, String> given = request.input(provider.name());
        Map<String, String> section = new LinkedHashMap<>();
        for (InputField field : provider.inputFields()) {
            String value = given.get(field.name());
            if (value != null && !value.isBlank()) {
                section.put(field.name(), value);
            }
            if (field.isSecret()) {
                secrets.add(provider.name() + "." + field.name());
            }
        }
        return section;
    }

    /**
     * The provider's own checks when it is requested, then each given field's format (whether requested or not, as a
     * wrong value is a mistake either way) and each required field when requested.
     */
    private static void check(ProviderAdapter provider, OnboardingRequest request, boolean requested, String byDefault,
                              List<Violation> violations) {
        if (requested) {
            provider.checkInput(request, new InputProblems() {
                @Override
                public void missing(String field, String message) {
                    violations.add(new Violation(field, message + byDefault));
                }

                @Override
                public void invalid(String field, String message) {
                    violations.add(new Violation(field, message));
                }
            });
        }
        for (InputField field : provider.inputFields()) {
            String path = provider.name() + "." + field.name();
            String value = request.input(provider.name(), field.name());
            if (value == null) {
                if (requested && field.isRequired()) {
                    violations.add(new Violation(path, "is required for " + provider.displayName() + byDefault));
                }
            } else if (!field.format().accepts().test(value)) {
                violations.add(new Violation(path, field.format().problem()));
            }
        }
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
            if (defaultProviders.isEmpty()) {
                violations.add(new Violation("providers", "is required: this hub asks no provider by default"
                        + " — name the ones you want (one of " + knownProviders + ")"));
            }
            return defaultProviders;
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
