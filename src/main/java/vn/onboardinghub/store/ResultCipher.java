package vn.onboardinghub.store;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * AES-256-GCM (Google Tink) for what the store writes that holds credentials (the result JSON), so no issued token
 * or shop key lies in plaintext in the database files. Several keys can be given for rotation: the first encrypts,
 * all decrypt.
 * <p>
 * Stored forms:
 * <ul>
 * <li>{@code v2:<base64(Tink ciphertext)>}, written now: {@code 0x01 | key id (4 bytes) | iv (12) | ciphertext+tag},
 * Tink's own output prefix, so the key that wrote a value is known without trying every key;</li>
 * <li>{@code v1:<base64(iv (12) | ciphertext+tag)>}, written before keys could be rotated: no key id, each key is
 * tried (Tink's "no prefix" keys). Still read; {@code reencrypt} rewrites them as {@code v2}.</li>
 * </ul>
 * A key's id is derived from the key itself, so every instance and every restart gives the same key the same id.
 */
public class ResultCipher {
    private static final String PREFIX = "v2:";
    private static final String LEGACY_PREFIX = "v1:";
    /** Tink's output prefix of a key with an id: this byte, then the id (big-endian). */
    private static final byte TINK_PREFIX_BYTE = 0x01;
    private static final byte[] NO_ASSOCIATED_DATA = new byte[0];

    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Aead keyset;
    private final Aead legacyKeyset;
    private final int firstKeyId;

    /** One key (base64-decoded, 32 bytes). */
    public ResultCipher(byte[] key) {
        this(List.of(key));
    }

    /** Keys (base64-decoded, 32 bytes each): the first encrypts, every one decrypts. */
    public ResultCipher(List<byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("hub.crypto.key: no key");
        }
        Map<Integer, Integer> positionById = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).length != 32) {
                throw new IllegalArgumentException("hub.crypto.key: key " + (i + 1) + " of " + keys.size()
                        + " must be 32 bytes (base64-encoded), not " + keys.get(i).length);
            }
            Integer earlier = positionById.putIfAbsent(keyId(keys.get(i)), i + 1);
            if (earlier != null) {
                throw new IllegalArgumentException("hub.crypto.key: keys " + earlier + " and " + (i + 1)
                        + " have the same key id (one key listed twice?): list each key once");
            }
        }
        try {
            KeysetHandle.Builder current = KeysetHandle.newBuilder();
            KeysetHandle.Builder legacy = KeysetHandle.newBuilder();
            for (int i = 0; i < keys.size(); i++) {
                byte[] key = keys.get(i);
                KeysetHandle.Builder.Entry entry = KeysetHandle.importKey(aesGcmKey(key, AesGcmParameters.Variant.TINK, keyId(key)));
                KeysetHandle.Builder.Entry legacyEntry = KeysetHandle.importKey(aesGcmKey(key, AesGcmParameters.Variant.NO_PREFIX, null))
                        .withFixedId(i + 1);
                if (i == 0) {
                    entry.makePrimary();
                    legacyEntry.makePrimary();
                }
                current.addEntry(entry);
                legacy.addEntry(legacyEntry);
            }
            this.keyset = current.build().getPrimitive(RegistryConfiguration.get(), Aead.class);
            this.legacyKeyset = legacy.build().getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the keys of hub.crypto.key", e);
        }
        this.firstKeyId = keyId(keys.get(0));
    }

    public String encrypt(String plaintext) {
        try {
            return PREFIX + Base64.getEncoder().encodeToString(
                    keyset.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), NO_ASSOCIATED_DATA));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt", e);
        }
    }

    public String decrypt(String stored) {
        Aead keys;
        String encoded;
        if (stored.startsWith(PREFIX)) {
            keys = keyset;
            encoded = stored.substring(PREFIX.length());
        } else if (stored.startsWith(LEGACY_PREFIX)) {
            keys = legacyKeyset;
            encoded = stored.substring(LEGACY_PREFIX.length());
        } else {
            throw new IllegalStateException("stored value is not encrypted with a known scheme");
        }
        try {
            return new String(keys.decrypt(Base64.getDecoder().decode(encoded), NO_ASSOCIATED_DATA), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot decrypt a stored result: is the key that wrote it in hub.crypto.key?", e);
        }
    }

    /** The id of the key that wrote {@code stored}; empty for the format without key ids ({@code v1}) or an unknown one. */
    public static Optional<Integer> keyIdOf(String stored) {
        // 8 base64 characters are 6 bytes: the 5 of the prefix and one more
        if (!stored.startsWith(PREFIX) || stored.length() < PREFIX.length() + 8) {
            return Optional.empty();
        }
        try {
            byte[] prefix = Base64.getDecoder().decode(stored.substring(PREFIX.length(), PREFIX.length() + 8));
            return prefix[0] == TINK_PREFIX_BYTE ? Optional.of(ByteBuffer.wrap(prefix, 1, 4).getInt()) : Optional.empty();
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    /** Whether {@code stored} is in the current format under the first key, i.e. has nothing to re-encrypt. */
    public boolean isUnderFirstKey(String stored) {
        return keyIdOf(stored).map(id -> id == firstKeyId).orElse(false);
    }

    /**
     * The id a key gets: the first 4 bytes of SHA-256 over a label and the key (a one-way function of a random
     * 256-bit key, so the id tells nothing about the key), the same wherever the key is configured.
     */
    public static int keyId(byte[] key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("onboarding-hub result key id".getBytes(StandardCharsets.US_ASCII));
            return ByteBuffer.wrap(sha256.digest(key)).getInt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AesGcmKey aesGcmKey(byte[] key, AesGcmParameters.Variant variant, Integer id) throws GeneralSecurityException {
        return AesGcmKey.builder()
                .setParameters(AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12).setTagSizeBytes(16)
                        .setVariant(variant).build())
                .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
                .setIdRequirement(id)
                .build();
    }
}
