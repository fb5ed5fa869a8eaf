package vn.onboardinghub.providers;

/** The provider is disabled, or its base URL or partner credentials are missing. */
public class NotConfiguredException extends RuntimeException {
    public NotConfiguredException(String message) {
        super(message);
    }
}
