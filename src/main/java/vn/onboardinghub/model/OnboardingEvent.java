package vn.onboardinghub.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller hears about a change of its onboarding's stored result (docs/contract.md "Webhooks"): one of
 * {@value #COMPLETED}, {@value #ACTION_REQUIRED}, {@value #UPDATED}, with the thin {@code data} of the Standard
 * Webhooks payload. The data never holds credentials: the caller reads them with {@code GET} under its key.
 */
public record OnboardingEvent(String type, Map<String, Object> data) {
    /** The first final result, no provider waiting for the merchant. */
    public static final String COMPLETED = "onboarding.completed";
    /** The first final result, some provider waiting for the merchant (the data then has the merchant link). */
    public static final String ACTION_REQUIRED = "onboarding.action_required";
    /** Any later change of a final result: a provider's callback, the merchant's action, a new or revoked link. */
    public static final String UPDATED = "onboarding.updated";

    /**
     * The event for storing {@code current} over {@code previous} (null: never stored, or PENDING until now); empty when
     * there is nothing to tell: the result is not final, or what the data says did not change.
     */
    public static Optional<OnboardingEvent> of(OnboardingResult previous, OnboardingResult current) {
        if (current.status() == OnboardingResult.Status.PENDING) {
            return Optional.empty();
        }
        Map<String, Object> data = data(current);
        if (previous == null || previous.status() == OnboardingResult.Status.PENDING) {
            return Optional.of(new OnboardingEvent(firstType(current), data));
        }
        return Objects.equals(data(previous), data) ? Optional.empty() : Optional.of(new OnboardingEvent(UPDATED, data));
    }

    /** The type of the event a first final result is: {@link #ACTION_REQUIRED} while a provider waits for the merchant. */
    public static String firstType(OnboardingResult result) {
        return result.waitsForMerchant() ? ACTION_REQUIRED : COMPLETED;
    }

    /** onboardingId, requestId, externalId, client, status, each provider's status (action type, error code), merchantLink. */
    static Map<String, Object> data(OnboardingResult result) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("onboardingId", result.onboardingId());
        if (result.requestId() != null) {
            data.put("requestId", result.requestId());
        }
        data.put("externalId", result.externalId());
        data.put("client", result.client());
        data.put("status", result.status().name());
        if (result.error() != null) {
            data.put("error", Map.of("code", result.error().code()));
        }
        Map<String, Object> providers = new LinkedHashMap<>();
        if (result.results() != null) {
            result.results().forEach((name, r) -> {
                Map<String, Object> provider = new LinkedHashMap<>();
                provider.put("status", r.status().name());
                if (r.action() != null && r.action().type() != null) {
                    provider.put("action", r.action().type());
                }
                if (r.error() != null && r.error().code() != null) {
                    provider.put("error", r.error().code().name());
                }
                providers.put(name, provider);
            });
        }
        data.put("providers", providers);
        if (result.merchantLink() != null) {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("url", result.merchantLink().url());
            link.put("expiresAt", result.merchantLink().expiresAt());
            data.put("merchantLink", link);
        }
        return data;
    }
}
