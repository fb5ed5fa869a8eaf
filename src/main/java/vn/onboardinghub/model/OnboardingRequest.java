package vn.onboardinghub.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The normalized onboarding request (CONTRACT §3), after validation: {@code merchant.phone} is in the
 * national {@code 0…} form and {@code providers} is never empty.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OnboardingRequest(String requestId, Merchant merchant, List<String> providers,
                                Ahamove ahamove, Ghtk ghtk, Socdo socdo, Its its) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Merchant(String externalId, String name, String phone, String email, String address,
                           Double lat, Double lng, String countryCode) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ahamove(String parentId) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ghtk(String email, String password) {
        /** Never print the shop's password. */
        @Override
        public String toString() {
            return "Ghtk[email=" + email + ", password=***]";
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Socdo(String zaloUserId, String avatar, String gender) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Its(String shopId, String externalShopId, String externalUserId, String shopName,
                      String redirectUrl) {
    }

    public OnboardingRequest withProviders(List<String> names) {
        return new OnboardingRequest(requestId, merchant, names, ahamove, ghtk, socdo, its);
    }

    public OnboardingRequest withRequestId(String id) {
        return new OnboardingRequest(id, merchant, providers, ahamove, ghtk, socdo, its);
    }

    public OnboardingRequest withMerchant(Merchant m) {
        return new OnboardingRequest(requestId, m, providers, ahamove, ghtk, socdo, its);
    }

    /** The request as it may be stored: without the shop's GHTK password. */
    public OnboardingRequest withoutSecrets() {
        Ghtk g = ghtk == null ? null : new Ghtk(ghtk.email(), null);
        return new OnboardingRequest(requestId, merchant, providers, ahamove, g, socdo, its);
    }
}
