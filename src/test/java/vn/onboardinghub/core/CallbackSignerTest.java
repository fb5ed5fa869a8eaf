package vn.onboardinghub.core;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class CallbackSignerTest {
    final Clock now = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    final CallbackSigner signer = new CallbackSigner("k".repeat(32).getBytes(), Duration.ofHours(1), now);

    @Test
    void signedStateVerifies() {
        assertThat(signer.verify(signer.sign("its", "id-1"))).hasValue(new CallbackSigner.State("its", "id-1"));
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
}
