package vn.onboardinghub.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A normalized error: who failed is the key it sits under, {@code code} says what kind of failure,
 * the provider fields keep the provider's own words unchanged.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"code", "retryable", "message", "providerStatus", "providerCode", "providerMessage"})
public record ProviderError(ErrorCode code, boolean retryable, String message,
                            Integer providerStatus, String providerCode, String providerMessage) {

    public static ProviderError of(ErrorCode code, String message, Integer providerStatus,
                                   String providerCode, String providerMessage) {
        return new ProviderError(code, code.retryable(), message, providerStatus, providerCode, providerMessage);
    }

    public static ProviderError of(ErrorCode code, String message) {
        return of(code, message, null, null, null);
    }
}
