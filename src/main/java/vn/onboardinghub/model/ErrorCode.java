package vn.onboardinghub.model;

/** The one error taxonomy every provider's errors are mapped to (docs/contract.md "Errors"). */
public enum ErrorCode {
    INVALID_REQUEST(false),
    PARTNER_AUTH_FAILED(false),
    ACCOUNT_NOT_LINKED(false),
    ACCOUNT_LOCKED(false),
    ALREADY_EXISTS(false),
    ALREADY_REGISTERED(false),
    INVALID_CREDENTIALS(false),
    PERMISSION_DENIED(false),
    NOT_FOUND(false),
    RATE_LIMITED(true),
    PROVIDER_ERROR(true),
    PROVIDER_UNAVAILABLE(true),
    CIRCUIT_OPEN(true),
    UNEXPECTED_RESPONSE(false),
    NOT_CONFIGURED(false);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The code for a status no provider documents more precisely. */
    public static ErrorCode forHttpStatus(int status) {
        return switch (status) {
            case 429 -> RATE_LIMITED;
            case 502, 503, 504 -> PROVIDER_UNAVAILABLE;
            default -> status >= 500 ? PROVIDER_ERROR : UNEXPECTED_RESPONSE;
        };
    }
}
