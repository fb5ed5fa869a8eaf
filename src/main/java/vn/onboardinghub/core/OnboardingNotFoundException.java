package vn.onboardinghub.core;

/** No onboarding with this id is stored. */
public class OnboardingNotFoundException extends RuntimeException {
    public OnboardingNotFoundException(String onboardingId) {
        super("no onboarding " + onboardingId);
    }
}
