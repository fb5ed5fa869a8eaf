package vn.onboardinghub.providers;

/** The hub's own callback URL for a provider that completes through the merchant's browser (e.g. ITS). */
public interface CallbackUrls {
    /** Exchange property a provider's callback route may set: where to send the browser afterwards. */
    String REDIRECT = "callbackRedirect";
    /**
     * Exchange property set while a provider route runs because the merchant pressed its button on the merchant page:
     * the id of that page's merchant link. The callback then needs that link still current, and brings the browser
     * back to its page.
     */
    String FROM_PAGE = "fromMerchantPage";

    /** {@code <hub.public-base-url>/api/v1/callbacks/<provider>?state=<signed>}. */
    String callbackUrl(String provider, String onboardingId);

    /** The same, for a flow started from the page of merchant link {@code pageLink} (its id; null: not from a page). */
    default String callbackUrl(String provider, String onboardingId, String pageLink) {
        return callbackUrl(provider, onboardingId);
    }
}
