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
 * HMAC-SHA256, so a callback cannot be forged or pointed at another onboarding; {@code provider.onboardingId.expiry.page-<link id>}
 * when the merchant started the provider's flow from the page of that merchant link (the callback then needs the link
 * still current, and sends the browser back to that page). The flag is part of the signed payload: it cannot be added to or removed from a state. A state has exactly one accepted
 * text: the one the hub issued (base64url without padding, the expiry in plain digits). Other encodings of the same
 * bytes (an added {@code =}, other values of the last character's unused bits) are refused, so a single-use check
 * cannot be dodged by re-encoding a state.
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

    /** The last part of the payload of a state whose flow started from the merchant page: {@code page-<link id>}. */
    static final String FROM_PAGE = "page-";
    private static final java.util.regex.Pattern LINK_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{22}");

    /**
     * What a verified state names; {@code expiry} in epoch seconds; {@code pageLink}: the id of the merchant link whose
     * page started the flow, null when it did not start there.
     */
    public record State(String provider, String onboardingId, long expiry, String pageLink) {
        public State(String provider, String onboardingId, long expiry) {
            this(provider, onboardingId, expiry, null);
        }

        public boolean fromPage() {
            return pageLink != null;
        }

        /** The one text the hub signs for this state's payload. */
        String payload() {
            return provider + "." + onboardingId + "." + expiry + (pageLink != null ? "." + FROM_PAGE + pageLink : "");
        }
    }

    /** How long a signed state stays valid. */
    public Duration validity() {
        return validity;
    }

    public String sign(String provider, String onboardingId) {
        return sign(provider, onboardingId, null);
    }

    /** A state for a flow started from the page of merchant link {@code pageLink} (its id), when not null. */
    public String sign(String provider, String onboardingId, String pageLink) {
        return canonical(new State(provider, onboardingId, clock.instant().plus(validity).getEpochSecond(), pageLink));
    }

    /**
     * The state text the hub issues for what {@code state} names: the key a used state is recorded under, so every
     * way of writing one state counts as that state (and states recorded before by their text stay recorded).
     */
    public String canonical(State state) {
        String payload = state.payload();
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
        String[] parts = payload.split("\\.", -1);
        if ((parts.length != 3 && !(parts.length == 4 && parts[3].startsWith(FROM_PAGE)
                && LINK_ID.matcher(parts[3].substring(FROM_PAGE.length())).matches()))
                || !MessageDigest.isEqual(mac(payload), given)) {
            return Optional.empty();
        }
        State verified;
        try {
            verified = new State(parts[0], parts[1], Long.parseLong(parts[2]),
                    parts.length == 4 ? parts[3].substring(FROM_PAGE.length()) : null);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        // only the exact text the hub issued: the same MAC bytes written otherwise (padding, unused bits) are refused
        if (!MessageDigest.isEqual(canonical(verified).getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))
                || verified.expiry() < clock.instant().getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(verified);
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
