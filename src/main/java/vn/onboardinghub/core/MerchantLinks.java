package vn.onboardinghub.core;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.model.MerchantLink;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.store.MerchantLinkStore;
import vn.onboardinghub.store.OnboardingStore;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Merchant links: {@code <hub.public-base-url>/m/<token>}, the page where a merchant does their part of one
 * onboarding. The token is {@code <id>.<signature>}: 16 random bytes and the first 16 bytes of their HMAC-SHA256 under
 * a key derived from {@code hub.callback.secret}, both base64url without padding (22 characters each). Only that
 * exact text is accepted (no padding, no other value of a last character's unused bits), so a token has one
 * encoding. The database says which onboarding it names, until when ({@code hub.merchant-link.ttl-hours}) and
 * whether it was revoked: a new link for an onboarding revokes the earlier ones. A token carries no credentials.
 */
public class MerchantLinks {
    private static final Logger LOG = LoggerFactory.getLogger(MerchantLinks.class);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final int BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The path under {@code hub.public-base-url} where merchant pages are served. */
    public static final String PATH = "/m/";

    private final byte[] key;
    private final String publicBaseUrl;
    private final Duration ttl;
    private final MerchantLinkStore links;
    private final OnboardingStore store;
    private final Clock clock;

    public MerchantLinks(byte[] secret, String publicBaseUrl, Duration ttl, MerchantLinkStore links, OnboardingStore store,
                         Clock clock) {
        // its own key: a merchant link signature is never valid as anything else the hub signs
        this.key = hmac(secret, "merchant-link");
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        this.ttl = ttl;
        this.links = links;
        this.store = store;
        this.clock = clock;
    }

    /** A result as it is first stored: with a new link when a provider waits for the merchant. */
    public OnboardingResult attach(OnboardingResult result) {
        return result.waitsForMerchant() ? result.withMerchantLink(issue(result.onboardingId())) : result;
    }

    /** A new link for the onboarding; its earlier links stop working. */
    public MerchantLink issue(String onboardingId) {
        byte[] id = new byte[BYTES];
        RANDOM.nextBytes(id);
        String linkId = B64.encodeToString(id);
        Instant expiresAt = clock.instant().plus(ttl).truncatedTo(ChronoUnit.SECONDS);
        links.replace(onboardingId, linkId, expiresAt);
        return new MerchantLink(pageUrl(linkId), expiresAt.toString());
    }

    /** The onboarding a token names, if it is the exact text the hub issued and its link is current (not revoked or expired). */
    public Optional<String> onboardingOf(String token) {
        if (token == null || token.length() != 2 * 22 + 1 || token.charAt(22) != '.') {
            return Optional.empty();
        }
        String linkId = token.substring(0, 22);
        if (!canonical(linkId) || !MessageDigest.isEqual(signature(linkId).getBytes(StandardCharsets.US_ASCII),
                token.substring(23).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        return links.onboardingOf(linkId, clock.instant());
    }

    /** The id of a link from its token ({@link #onboardingOf} accepted it). */
    public static String linkIdOf(String token) {
        return token.substring(0, 22);
    }

    /** Whether the link with this id is current for the onboarding: neither revoked nor expired. */
    public boolean isCurrent(String linkId, String onboardingId) {
        return links.onboardingOf(linkId, clock.instant()).filter(onboardingId::equals).isPresent();
    }

    /** {@code <hub.public-base-url>/m/<token>} of a link: the token is the link id and its signature. */
    public String pageUrl(String linkId) {
        return publicBaseUrl + PATH + linkId + "." + signature(linkId);
    }

    /** The page URL of a token {@link #onboardingOf} accepted, plus {@code suffix} (e.g. {@code /its}). */
    public String urlOfToken(String token, String suffix) {
        return publicBaseUrl + PATH + token + suffix;
    }

    /**
     * {@code POST /api/v1/onboardings/{id}/merchant-link}: the body is the caller's onboarding (already found under its
     * key); gives it a new link, which replaces the earlier one in the stored result, and answers it.
     */
    public MerchantLink renew(Exchange exchange) {
        OnboardingResult result = exchange.getMessage().getBody(OnboardingResult.class);
        if (!result.waitsForMerchant()) {
            throw new NothingForMerchantException(result.onboardingId());
        }
        MerchantLink link = issue(result.onboardingId());
        saveWith(result.onboardingId(), link);
        LOG.info("onboarding {}: new merchant link, valid until {}; earlier links revoked", result.onboardingId(), link.expiresAt());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        return link;
    }

    /** {@code DELETE /api/v1/onboardings/{id}/merchant-link}: every link of the caller's onboarding stops working. */
    public void revoke(Exchange exchange) {
        OnboardingResult result = exchange.getMessage().getBody(OnboardingResult.class);
        links.revokeAll(result.onboardingId());
        saveWith(result.onboardingId(), null);
        LOG.info("onboarding {}: merchant links revoked", result.onboardingId());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        exchange.getMessage().setBody(null);
    }

    private void saveWith(String onboardingId, MerchantLink link) {
        OnboardingStore.Stored stored = store.find(onboardingId).orElseThrow(() -> new OnboardingNotFoundException(onboardingId));
        store.save(stored.result().withMerchantLink(link), stored.request(), Map.of());
    }

    private String signature(String linkId) {
        return B64.encodeToString(Arrays.copyOf(hmac(key, linkId), BYTES));
    }

    /** 22 base64url characters that decode to 16 bytes and encode back to the same text. */
    private static boolean canonical(String part) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(part);
            return bytes.length == BYTES && B64.encodeToString(bytes).equals(part);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
