package vn.onboardinghub.providers;

import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.ProviderError;

/** A provider answered with a status or body its adapter cannot interpret. */
public class UnexpectedResponseException extends RuntimeException {
    private final transient ProviderError error;

    public UnexpectedResponseException(String message, int status, String body) {
        super(message);
        this.error = ProviderError.of(ErrorCode.UNEXPECTED_RESPONSE, message, status, null, ProviderAdapter.excerpt(body));
    }

    public ProviderError error() {
        return error;
    }
}
