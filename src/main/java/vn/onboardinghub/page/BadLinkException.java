package vn.onboardinghub.page;

/**
 * A merchant page asked for with a token that is not a current link (tampered, unknown, expired, revoked,
 * re-encoded), or for an onboarding no longer stored: every case gets the same page. Says nothing of the token.
 */
public class BadLinkException extends RuntimeException {
    public BadLinkException() {
        super("not a current merchant link", null, false, false);
    }
}
