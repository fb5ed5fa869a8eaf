package vn.onboardinghub.api;

/** Missing or unknown {@code X-API-Key}. */
public class UnauthorizedException extends RuntimeException {
    public UnauthorizedException() {
        super("missing or invalid X-API-Key");
    }
}
