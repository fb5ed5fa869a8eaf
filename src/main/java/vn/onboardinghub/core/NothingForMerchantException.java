package vn.onboardinghub.core;

/** A merchant link asked for an onboarding where no provider waits for the merchant (REST: 409). */
public class NothingForMerchantException extends RuntimeException {
    public NothingForMerchantException(String onboardingId) {
        super("onboarding " + onboardingId + " has nothing left for the merchant to do: no merchant link");
    }
}
