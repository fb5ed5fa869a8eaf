package vn.onboardinghub.providers;

/** The hub's own callback URL for a provider that completes through the merchant's browser (e.g. ITS). */
public interface CallbackUrls {
    /** Exchange property a provider's callback route may set: where to send the browser afterwards. */
    String REDIRECT = "callbackRedirect";
    /**
     * Exchange property (boolean) set while a provider route runs because the merchant pressed its button on the
     * merchant page: the callback then brings the browser back to that page.
     */
    String FROM_PAGE = "fromMerchantPage";

    /** {@code <hub.public-base-url>/api/v1/callbacks/<provider>?state=<signed>}. */
    String callbackUrl(String provider, String onboardingId);

    /** The same, for a flow started from the merchant page when {@code fromPage}. */
    default String callbackUrl(String provider, String onboardingId, boolean fromPage) {
        return callbackUrl(provider, onboardingId);
    }
}
