package vn.onboardinghub.providers;

/**
 * What the merchant page offers for one provider's result (docs/contract.md "Merchant links"), as the provider's
 * adapter declares it ({@link ProviderAdapter#merchantStep}):
 * <ul>
 *   <li>{@link Kind#OPEN}: a button that opens {@code url} (e.g. the provider's own page for the action);</li>
 *   <li>{@link Kind#START}: a button that asks the hub to run the provider's route again at the moment it is pressed
 *       (e.g. a fresh authorization), then sends the browser to the new action's url;</li>
 *   <li>{@link Kind#INSTRUCTIONS}: what to do elsewhere, in the hub's words ({@code text}) and the provider's own
 *       ({@code providerWords}, when it gave some);</li>
 *   <li>{@link Kind#CONTINUE}: for a provider that is done, a link on to {@code url} (e.g. the caller's own page);</li>
 *   <li>{@link Kind#NONE}: nothing but the row's state.</li>
 * </ul>
 */
public record MerchantStep(Kind kind, String url, String text, String providerWords) {
    public enum Kind { OPEN, START, INSTRUCTIONS, CONTINUE, NONE }

    public static final MerchantStep NONE = new MerchantStep(Kind.NONE, null, null, null);

    public static MerchantStep open(String url) {
        return new MerchantStep(Kind.OPEN, url, null, null);
    }

    public static MerchantStep start() {
        return new MerchantStep(Kind.START, null, null, null);
    }

    public static MerchantStep instructions(String text, String providerWords) {
        return new MerchantStep(Kind.INSTRUCTIONS, null, text, providerWords == null || providerWords.isBlank() ? null : providerWords);
    }

    public static MerchantStep continueTo(String url) {
        return url == null ? NONE : new MerchantStep(Kind.CONTINUE, url, null, null);
    }
}
