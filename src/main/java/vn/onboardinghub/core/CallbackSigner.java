package vn.onboardinghub.core;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Signs and verifies the {@code state} of provider callbacks: {@code provider.onboardingId.expiry} with an
 * HMAC-SHA256, so a callback cannot be forged or pointed at another onboarding.
 */
public class CallbackSigner {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final byte[] key;
    private final Duration validity;
    private final Clock clock;

    public CallbackSigner(byte[] key, Duration validity, Clock clock) {
        this.key = key.clone();
        this.validity = validity;
        this.clock = clock;
    }

    public record State(String provider, String onboardingId) {
    }

    /** How long a signed state stays valid. */
    public Duration validity() {
        return validity;
    }

    public String sign(String provider, String onboardingId) {
        String payload = provider + "." + onboardingId + "." + clock.instant().plus(validity).getEpochSecond();
        return payload + "." + B64.encodeToString(mac(payload));
    }

    public Optional<State> verify(String state) {
        if (state == null) {
            return Optional.empty();
        }
        int cut = state.lastIndexOf('.');
        if (cut < 0) {
            return Optional.empty();
        }
        String payload = state.substring(0, cut);
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(state.substring(cut + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String[] parts = payload.split("\\.");
        if (parts.length != 3 || !MessageDigest.isEqual(mac(payload), given)) {
            return Optional.empty();
        }
        try {
            if (Long.parseLong(parts[2]) < clock.instant().getEpochSecond()) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(new State(parts[0], parts[1]));
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
