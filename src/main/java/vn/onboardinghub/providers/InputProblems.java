package vn.onboardinghub.providers;

/**
 * Where a provider's own input check ({@link ProviderAdapter#checkInput}) reports what is wrong, field by field
 * ({@code ghtk.email}); the hub adds them to the request's violations.
 */
public interface InputProblems {
    /** A value the provider needs is missing; the hub adds how to leave the provider out when it was not named. */
    void missing(String field, String message);

    /** A value is there but wrong. */
    void invalid(String field, String message);
}
