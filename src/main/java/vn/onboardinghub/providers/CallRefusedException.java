package vn.onboardinghub.providers;

import vn.onboardinghub.model.ProviderError;

/** The hub itself did not make a provider call, e.g. the provider's rate limit left no room in time. */
public class CallRefusedException extends RuntimeException {
    private final transient ProviderError error;

    public CallRefusedException(ProviderError error) {
        super(error.message());
        this.error = error;
    }

    public ProviderError error() {
        return error;
    }
}
