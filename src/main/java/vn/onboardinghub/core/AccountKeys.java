package vn.onboardinghub.core;

import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.providers.ProviderAdapter;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Names the provider account a request is about, so that a stored success (credentials) is handed out again only
 * for the same account: a keyed hash (HMAC-SHA256) of the inputs the provider knows the account by
 * ({@link ProviderAdapter#accountInputs}), e.g. the GHTK email and password. Keyed, so the stored value reveals
 * nothing of a password; the key is derived from the callback secret, which every instance shares.
 */
public class AccountKeys {
    private final SecretKeySpec key;

    public AccountKeys(byte[] secret) {
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(secret, "HmacSHA256"), "provider-account-inputs"), "HmacSHA256");
    }

    public String of(ProviderAdapter provider, OnboardingRequest request) {
        List<String> inputs = provider.accountInputs(request);
        StringBuilder text = new StringBuilder(provider.name());
        // length-prefixed, so that no two different input lists give the same text
        inputs.forEach(i -> {
            String value = Objects.toString(i, "");
            text.append('\n').append(value.length()).append(':').append(value);
        });
        return HexFormat.of().formatHex(hmac(key, text.toString()));
    }

    private static byte[] hmac(SecretKeySpec key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
