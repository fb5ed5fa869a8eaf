package vn.onboardinghub.providers;

/** The hub's own callback URL for a provider that completes through the merchant's browser (e.g. ITS). */
public interface CallbackUrls {
    /** {@code <hub.public-base-url>/api/v1/callbacks/<provider>?state=<signed>}. */
    String callbackUrl(String provider, String onboardingId);
}
