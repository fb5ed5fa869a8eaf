package vn.onboardinghub.providers;

/** The hub's own callback URL for a provider that completes through the merchant's browser (e.g. ITS). */
public interface CallbackUrls {
    /** Exchange property a provider's callback route may set: where to send the browser afterwards. */
    String REDIRECT = "callbackRedirect";

    /** {@code <hub.public-base-url>/api/v1/callbacks/<provider>?state=<signed>}. */
    String callbackUrl(String provider, String onboardingId);
}
