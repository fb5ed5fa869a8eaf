package vn.onboardinghub.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The normalized result of one onboarding (docs/contract.md "Result"). {@code client} says who created it: the REST API client's
 * name ({@code default} for {@code hub.api.keys}), or the channel ({@code jms}, {@code file:<file name>}).
 * {@code merchantLink} is there while a provider waits for the merchant ({@link #waitsForMerchant()}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"onboardingId", "requestId", "externalId", "client", "status", "error", "merchantLink", "results"})
public record OnboardingResult(String onboardingId, String requestId, String externalId, String client, Status status,
                               RequestError error, Map<String, ProviderResult> results, MerchantLink merchantLink) {

    public OnboardingResult {
        if (results != null) {
            // the provider name is the map key (it is not repeated inside each result's JSON)
            Map<String, ProviderResult> named = new LinkedHashMap<>();
            results.forEach((name, r) -> named.put(name, r.provider() == null ? r.withProvider(name) : r));
            results = named;
        }
    }

    /** {@code PENDING} only while an asynchronous onboarding is still running. */
    public enum Status { SUCCEEDED, PARTIAL, ACTION_REQUIRED, FAILED, PENDING }

    public static OnboardingResult of(String onboardingId, String requestId, String externalId, String client,
                                      Collection<ProviderResult> providerResults) {
        Map<String, ProviderResult> byProvider = new LinkedHashMap<>();
        providerResults.forEach(r -> byProvider.put(r.provider(), r));
        return new OnboardingResult(onboardingId, requestId, externalId, client, overall(byProvider.values()), null, byProvider, null);
    }

    public static OnboardingResult pending(String onboardingId, String requestId, String externalId, String client) {
        return new OnboardingResult(onboardingId, requestId, externalId, client, Status.PENDING, null, Map.of(), null);
    }

    /** A request refused by validation: FAILED, no provider called, the error says why. */
    public static OnboardingResult rejected(String requestId, String externalId, RequestError error) {
        return new OnboardingResult(null, requestId, externalId, null, Status.FAILED, error, Map.of(), null);
    }

    /** The result as written to batch files unless credentials are asked for. */
    public OnboardingResult withoutCredentials() {
        Map<String, ProviderResult> stripped = new LinkedHashMap<>();
        results.forEach((name, r) -> stripped.put(name, r.withoutCredentials()));
        return new OnboardingResult(onboardingId, requestId, externalId, client, status, error, stripped, merchantLink);
    }

    /**
     * Replaces one provider's result and recomputes the overall status; the merchant link stays while a provider
     * still waits for the merchant.
     */
    public OnboardingResult with(ProviderResult providerResult) {
        Map<String, ProviderResult> byProvider = new LinkedHashMap<>(results);
        byProvider.put(providerResult.provider(), providerResult);
        OnboardingResult updated = new OnboardingResult(onboardingId, requestId, externalId, client,
                overall(byProvider.values()), error, byProvider, merchantLink);
        return updated.waitsForMerchant() ? updated : updated.withMerchantLink(null);
    }

    /** The same result with this merchant link (null: none). */
    public OnboardingResult withMerchantLink(MerchantLink link) {
        return new OnboardingResult(onboardingId, requestId, externalId, client, status, error, results, link);
    }

    /** Some provider waits for the merchant to act ({@code ACTION_REQUIRED}). */
    public boolean waitsForMerchant() {
        return results != null && results.values().stream().anyMatch(r -> r.status() == ProviderResult.ProviderStatus.ACTION_REQUIRED);
    }

    /** All succeeded: SUCCEEDED; all failed: FAILED; none failed and some need action: ACTION_REQUIRED; else PARTIAL. */
    static Status overall(Collection<ProviderResult> results) {
        long failed = results.stream().filter(r -> r.status() == ProviderResult.ProviderStatus.FAILED).count();
        long succeeded = results.stream().filter(r -> r.status() == ProviderResult.ProviderStatus.SUCCEEDED).count();
        if (results.isEmpty() || failed == results.size()) {
            return Status.FAILED;
        }
        if (succeeded == results.size()) {
            return Status.SUCCEEDED;
        }
        return failed == 0 ? Status.ACTION_REQUIRED : Status.PARTIAL;
    }
}
