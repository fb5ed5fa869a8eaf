package vn.onboardinghub.api;

/** A REST call refused before it reached the core: 401 (no or unknown key), 403 (not allowed), 429 (too many). */
public class RefusedException extends RuntimeException {
    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    private RefusedException(int status, String code, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static RefusedException unauthorized(String message) {
        return new RefusedException(401, "UNAUTHORIZED", message, 0);
    }

    public static RefusedException forbidden(String message) {
        return new RefusedException(403, "FORBIDDEN", message, 0);
    }

    public static RefusedException tooManyRequests(String message, long retryAfterSeconds) {
        return new RefusedException(429, "RATE_LIMITED", message, Math.max(1, retryAfterSeconds));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds for the {@code Retry-After} header; 0 when none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
