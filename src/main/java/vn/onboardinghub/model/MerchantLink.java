package vn.onboardinghub.model;

/**
 * The page where the merchant does their part of an onboarding ({@code <hub.public-base-url>/m/<token>}), valid until
 * {@code expiresAt} (ISO-8601, UTC). It carries no credentials: it only names the onboarding.
 */
public record MerchantLink(String url, String expiresAt) {
}
