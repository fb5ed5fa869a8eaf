package vn.onboardinghub.store;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stored results under several keys: the first encrypts, every one decrypts, and yesterday's rows still read. */
class ResultCipherTest {
    /** The key and a row written by the hub before keys could be rotated (ResultCipher's v1 format, no key id). */
    static final String V1_KEY = "AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=";
    static final String V1_ROW = "v1:UBjV1Xix/2UPHn+lBC9abgwM88aHKl9g8UGsvi5Gb6sigBfrRh0Rtt9ExitIXt07Tf9J681aT2HZCHQ2vhkXsV9V77si537eKnFC0cbyQnWF";
    static final String V1_PLAINTEXT = "{\"onboardingId\":\"legacy-1\",\"token\":\"legacy-token-42\"}";

    final byte[] oldKey = randomKey();
    final byte[] newKey = randomKey();

    @Test
    void rowsWrittenBeforeKeyIdsStillDecryptUnderThatKeyWhereverItIsInTheList() {
        byte[] v1Key = Base64.getDecoder().decode(V1_KEY);
        assertThat(new ResultCipher(v1Key).decrypt(V1_ROW)).isEqualTo(V1_PLAINTEXT);
        assertThat(new ResultCipher(List.of(newKey, v1Key)).decrypt(V1_ROW)).isEqualTo(V1_PLAINTEXT);
        assertThatThrownBy(() -> new ResultCipher(newKey).decrypt(V1_ROW)).hasMessageContaining("hub.crypto.key");
    }

    @Test
    void rowsUnderAnOldKeyDecryptAfterRotationAndNewRowsCarryTheFirstKeysId() {
        String written = new ResultCipher(oldKey).encrypt("credentials of M-1");
        ResultCipher rotated = new ResultCipher(List.of(newKey, oldKey));

        assertThat(rotated.decrypt(written)).isEqualTo("credentials of M-1");
        String rewritten = rotated.encrypt("credentials of M-1");
        assertThat(keyIdIn(rewritten)).isEqualTo(ResultCipher.keyId(newKey)).isNotEqualTo(ResultCipher.keyId(oldKey));
        assertThat(keyIdIn(written)).isEqualTo(ResultCipher.keyId(oldKey));
        assertThat(rotated.isUnderFirstKey(rewritten)).isTrue();
        assertThat(rotated.isUnderFirstKey(written)).isFalse();
        assertThat(rotated.isUnderFirstKey(V1_ROW)).isFalse();
        // once the old key is removed, only what was rewritten reads
        assertThat(new ResultCipher(newKey).decrypt(rewritten)).isEqualTo("credentials of M-1");
        assertThatThrownBy(() -> new ResultCipher(newKey).decrypt(written)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aKeysIdIsTheSameInEveryInstanceSoAnotherInstanceOrARestartReadsIt() {
        String written = new ResultCipher(List.of(oldKey, newKey)).encrypt("x");
        assertThat(new ResultCipher(List.of(newKey, oldKey)).decrypt(written)).isEqualTo("x");
        assertThat(ResultCipher.keyIdOf(written)).contains(ResultCipher.keyId(oldKey.clone()));
    }

    @Test
    void aTamperedRowIsRefusedNotMisread() {
        String written = new ResultCipher(oldKey).encrypt("token-1");
        byte[] raw = Base64.getDecoder().decode(written.substring(3));
        raw[raw.length - 1] ^= 1;
        assertThatThrownBy(() -> new ResultCipher(oldKey).decrypt("v2:" + Base64.getEncoder().encodeToString(raw)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aWrongSizedOrRepeatedKeyIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> new ResultCipher(List.of(newKey, new byte[16])))
                .hasMessage("hub.crypto.key: key 2 of 2 must be 32 bytes (base64-encoded), not 16");
        assertThatThrownBy(() -> new ResultCipher(List.of(newKey, oldKey, newKey.clone())))
                .hasMessage("hub.crypto.key: keys 1 and 3 have the same key id (one key listed twice?): list each key once");
    }

    /** Tink's output prefix: 0x01, then the key id, big-endian. */
    static int keyIdIn(String stored) {
        assertThat(stored).startsWith("v2:");
        byte[] raw = Base64.getDecoder().decode(stored.substring(3));
        assertThat(raw[0]).isEqualTo((byte) 1);
        return ByteBuffer.wrap(raw, 1, 4).getInt();
    }

    static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
