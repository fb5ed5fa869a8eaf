package vn.onboardinghub.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Map;

/** One provider's answer for one onboarding: credentials, an action for the merchant, or an error. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"status", "credentials", "action", "error", "attempts"})
public record ProviderResult(@JsonIgnore String provider, ProviderStatus status, Map<String, String> credentials,
                             Action action, ProviderError error, int attempts) {

    public enum ProviderStatus { SUCCEEDED, ACTION_REQUIRED, FAILED }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Action(String type, String url, Integer expiresInSeconds) {
    }

    public static ProviderResult succeeded(String provider, Map<String, String> credentials, int attempts) {
        return new ProviderResult(provider, ProviderStatus.SUCCEEDED, credentials, null, null, attempts);
    }

    public static ProviderResult actionRequired(String provider, Action action, ProviderError error, int attempts) {
        return new ProviderResult(provider, ProviderStatus.ACTION_REQUIRED, null, action, error, attempts);
    }

    public static ProviderResult failed(String provider, ProviderError error, int attempts) {
        return new ProviderResult(provider, ProviderStatus.FAILED, null, null, error, attempts);
    }

    public ProviderResult withProvider(String name) {
        return new ProviderResult(name, status, credentials, action, error, attempts);
    }

    /** An earlier success returned again without calling the provider: no call made, so {@code attempts} is 0. */
    public ProviderResult reused() {
        return new ProviderResult(provider, status, credentials, action, error, 0);
    }

    public ProviderResult withoutCredentials() {
        return new ProviderResult(provider, status, null, action, error, attempts);
    }
}
