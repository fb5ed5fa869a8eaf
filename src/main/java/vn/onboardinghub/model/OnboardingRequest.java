package vn.onboardinghub.model;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The normalized onboarding request (docs/contract.md "Request"), after validation: {@code merchant.phone} is in the national
 * {@code 0…} form and {@code providers} is never empty. Each provider's own section ({@code "ghtk": {"password": …}})
 * is kept as text fields under the provider's name: the core knows no provider's fields, each adapter declares its own.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"requestId", "merchant", "providers"})
public final class OnboardingRequest {
    private final String requestId;
    private final Merchant merchant;
    private final List<String> providers;
    /** Provider → its section's fields; filled while Jackson reads a stored request, fixed afterwards. */
    private final Map<String, Map<String, String>> inputs;
    /** {@code provider.field} of the secrets among the inputs (e.g. {@code ghtk.password}). */
    private final Set<String> secrets;

    @JsonCreator
    public OnboardingRequest(@JsonProperty("requestId") String requestId, @JsonProperty("merchant") Merchant merchant,
                             @JsonProperty("providers") List<String> providers) {
        this(requestId, merchant, providers, new LinkedHashMap<>(), Set.of());
    }

    public OnboardingRequest(String requestId, Merchant merchant, List<String> providers,
                             Map<String, Map<String, String>> inputs, Set<String> secrets) {
        this.requestId = requestId;
        this.merchant = merchant;
        this.providers = providers;
        this.inputs = inputs;
        this.secrets = secrets;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Merchant(String externalId, String name, String phone, String email, String address,
                           Double lat, Double lng, String countryCode) {
    }

    @JsonProperty
    public String requestId() {
        return requestId;
    }

    @JsonProperty
    public Merchant merchant() {
        return merchant;
    }

    @JsonProperty
    public List<String> providers() {
        return providers;
    }

    /** The provider's section, e.g. {@code input("ghtk").get("password")}; empty when the request has none. */
    public Map<String, String> input(String provider) {
        return Collections.unmodifiableMap(inputs.getOrDefault(provider, Map.of()));
    }

    /** One field of a provider's section, or null. */
    public String input(String provider, String field) {
        return inputs.getOrDefault(provider, Map.of()).get(field);
    }

    /** Every provider section, written as top-level fields named after the providers (docs/contract.md "Request"). */
    @JsonAnyGetter
    public Map<String, Map<String, String>> inputs() {
        return Collections.unmodifiableMap(inputs);
    }

    /** A stored request read back: its provider sections, text fields only (what validation accepted). */
    @JsonAnySetter
    void readInput(String provider, JsonNode section) {
        if (section != null && section.isObject()) {
            Map<String, String> fields = new LinkedHashMap<>();
            section.fields().forEachRemaining(f -> {
                if (f.getValue().isTextual()) {
                    fields.put(f.getKey(), f.getValue().textValue());
                }
            });
            inputs.put(provider, fields);
        }
    }

    public OnboardingRequest withProviders(List<String> names) {
        return new OnboardingRequest(requestId, merchant, names, inputs, secrets);
    }

    public OnboardingRequest withRequestId(String id) {
        return new OnboardingRequest(id, merchant, providers, inputs, secrets);
    }

    public OnboardingRequest withMerchant(Merchant m) {
        return new OnboardingRequest(requestId, m, providers, inputs, secrets);
    }

    /** The same request with these provider sections, of which {@code secretFields} ({@code provider.field}) are secrets. */
    public OnboardingRequest withInputs(Map<String, Map<String, String>> sections, Set<String> secretFields) {
        return new OnboardingRequest(requestId, merchant, providers, sections, secretFields);
    }

    /** The request as it may be stored: without its secrets (e.g. the shop's GHTK password). */
    public OnboardingRequest withoutSecrets() {
        return new OnboardingRequest(requestId, merchant, providers, masked(false), Set.of());
    }

    /** Sections without the secrets, or with them shown as {@code ***}. */
    private Map<String, Map<String, String>> masked(boolean shown) {
        Map<String, Map<String, String>> kept = new LinkedHashMap<>();
        inputs.forEach((provider, fields) -> {
            Map<String, String> copy = new LinkedHashMap<>();
            fields.forEach((name, value) -> {
                if (!secrets.contains(provider + "." + name)) {
                    copy.put(name, value);
                } else if (shown) {
                    copy.put(name, "***");
                }
            });
            kept.put(provider, copy);
        });
        return kept;
    }

    @JsonIgnore
    public Set<String> secrets() {
        return secrets;
    }

    /** Never prints a secret. */
    @Override
    public String toString() {
        return "OnboardingRequest[requestId=" + requestId + ", merchant=" + merchant + ", providers=" + providers
                + masked(true).entrySet().stream().map(e -> ", " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining()) + "]";
    }
}
