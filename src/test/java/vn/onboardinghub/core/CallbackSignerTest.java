package vn.onboardinghub.core;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CallbackSignerTest {
    final Clock now = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    final CallbackSigner signer = new CallbackSigner("k".repeat(32).getBytes(), Duration.ofHours(1), now);

    @Test
    void signedStateVerifies() {
        assertThat(signer.verify(signer.sign("its", "id-1"))).hasValue(new CallbackSigner.State("its", "id-1", now.instant().plus(Duration.ofHours(1)).getEpochSecond()));
    }

    @Test
    void aStateStartedFromAMerchantPageNamesItsLinkAndTheLinkIsSigned() {
        long expiry = now.instant().plus(Duration.ofHours(1)).getEpochSecond();
        String link = "Wd1Ku0m6BDpXh7x2Qd5zjg";
        String page = signer.sign("its", "id-1", link);
        String raw = signer.sign("its", "id-1");

        assertThat(signer.verify(page)).hasValue(new CallbackSigner.State("its", "id-1", expiry, link));
        assertThat(signer.verify(raw)).hasValue(new CallbackSigner.State("its", "id-1", expiry, null));
        assertThat(page).isNotEqualTo(raw).isEqualTo(signer.canonical(signer.verify(page).orElseThrow()));
        // the link cannot be added to a state, removed from one, swapped for another or written otherwise
        String rawPayload = raw.substring(0, raw.lastIndexOf('.'));
        String pagePayload = page.substring(0, page.lastIndexOf('.'));
        assertThat(signer.verify(rawPayload + ".page-" + link + raw.substring(raw.lastIndexOf('.')))).isEmpty();
        assertThat(signer.verify(pagePayload.substring(0, pagePayload.lastIndexOf('.')) + page.substring(page.lastIndexOf('.')))).isEmpty();
        assertThat(signer.verify(page.replace(link, "Xd1Ku0m6BDpXh7x2Qd5zjg"))).isEmpty();
        assertThat(signer.verify(page.replace(".page-", ".PAGE-"))).isEmpty();
        assertThat(signer.verify(page.replace(".page-", ".page-page-"))).isEmpty();
    }

    @Test
    void stateForAnotherOnboardingIsRefused() {
        String state = signer.sign("its", "id-1");
        assertThat(signer.verify(state.replace("id-1", "id-2"))).isEmpty();
    }

    @Test
    void stateSignedWithAnotherKeyIsRefused() {
        String state = new CallbackSigner("x".repeat(32).getBytes(), Duration.ofHours(1), now).sign("its", "id-1");
        assertThat(signer.verify(state)).isEmpty();
    }

    @Test
    void expiredStateIsRefused() {
        String state = signer.sign("its", "id-1");
        CallbackSigner later = new CallbackSigner("k".repeat(32).getBytes(), Duration.ofHours(1),
                Clock.offset(now, Duration.ofHours(2)));
        assertThat(later.verify(state)).isEmpty();
    }

    @Test
    void garbageIsRefused() {
        assertThat(signer.verify("nonsense")).isEmpty();
        assertThat(signer.verify(null)).isEmpty();
        assertThat(signer.verify("its.id.1.%%%")).isEmpty();
    }

    @Test
    void onlyTheIssuedTextOfAStateIsAccepted() {
        String state = signer.sign("its", "id-1");
        String payload = state.substring(0, state.lastIndexOf('.'));
        String mac = state.substring(state.lastIndexOf('.') + 1);
        byte[] macBytes = Base64.getUrlDecoder().decode(mac);
        List<String> variants = new ArrayList<>();
        // the same bytes, padded
        variants.add(state + "=");
        // the same bytes, the last character's two unused bits set otherwise (43 characters carry 256 bits + 2)
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(mac.charAt(mac.length() - 1));
        for (int unused = 1; unused < 4; unused++) {
            variants.add(payload + "." + mac.substring(0, mac.length() - 1) + alphabet.charAt((last & ~3) | ((last & 3) ^ unused)));
        }
        // the same bytes in the standard alphabet, with and without padding
        variants.add(payload + "." + Base64.getEncoder().withoutPadding().encodeToString(macBytes));
        variants.add(payload + "." + Base64.getEncoder().encodeToString(macBytes));
        // the same expiry written otherwise (it is signed text: its MAC would differ, but the hub must not parse leniently)
        variants.add(state.replace(".id-1.", ".id-1.+"));
        assertThat(variants).doesNotContain(state).allSatisfy(variant -> {
            assertThat(variant.substring(variant.lastIndexOf('.') + 1).equals(mac)
                    || java.util.Arrays.equals(decodeLeniently(variant), macBytes)
                    || variant.contains(".+")).as(variant).isTrue();
            assertThat(signer.verify(variant)).as(variant).isEmpty();
        });
        assertThat(signer.verify(state)).isPresent();
    }

    @Test
    void theCanonicalTextOfAVerifiedStateIsTheIssuedOne() {
        String state = signer.sign("its", "id-1");
        assertThat(signer.canonical(signer.verify(state).orElseThrow())).isEqualTo(state);
    }

    /** The MAC bytes a variant spells, decoded by whichever alphabet it uses (padding and unused bits ignored). */
    private static byte[] decodeLeniently(String variant) {
        String mac = variant.substring(variant.lastIndexOf('.') + 1).replace('+', '-').replace('/', '_');
        return Base64.getUrlDecoder().decode(mac);
    }
}
