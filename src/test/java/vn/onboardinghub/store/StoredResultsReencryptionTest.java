package vn.onboardinghub.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onboardinghub.store.ResultCipherTest.randomKey;

/**
 * Key rotation of stored results on the embedded H2 file database and on a real PostgreSQL: rows under an old key
 * (and rows from before key ids) read after {@code hub.crypto.key=new,old}, the re-encryption rewrites them under the
 * new key, and then the old key can be removed.
 */
class StoredResultsReencryptionTest {
    final ObjectMapper mapper = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    final byte[] oldKey = randomKey();
    final byte[] newKey = randomKey();

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void afterReencryptionEveryRowReadsWithTheNewKeyAlone(String database) throws Exception {
        TestDatabase.with(database, 10, dataSource -> {
            List<String> ids = new ArrayList<>();
            try (OnboardingStore before = store(dataSource, List.of(oldKey))) {
                for (int i = 0; i < 7; i++) {
                    ids.add(saveOnboarding(before, "merchant-" + i, "token-" + i));
                }
            }
            // two rows as the hub wrote them before key ids (v1): the same results, in the old format
            rewriteInV1(dataSource, "onboarding", "onboarding_id = '" + ids.get(0) + "'");
            rewriteInV1(dataSource, "provider_success", "external_id = 'merchant-1'");

            String written;
            try (OnboardingStore rotated = store(dataSource, List.of(newKey, oldKey))) {
                for (int i = 0; i < 7; i++) {
                    assertThat(rotated.find(ids.get(i))).get().extracting(s -> s.result().results().get("ahamove").credentials())
                            .isEqualTo(Map.of("token", "token-" + i));
                }
                written = saveOnboarding(rotated, "merchant-new", "token-new");
            }
            assertThat(keyIdsIn(dataSource, "onboarding", "onboarding_id = '" + written + "'"))
                    .as("a new row is written under the first key").containsExactly(ResultCipher.keyId(newKey));

            ResultCipher rotated = new ResultCipher(List.of(newKey, oldKey));
            // batches of 3: the 8 onboardings and 8 successes take several pages
            Map<String, StoredResultsReencryption.Counts> counts = new StoredResultsReencryption(dataSource, rotated, 3).run();
            assertThat(counts).containsEntry("onboarding", new StoredResultsReencryption.Counts(7, 1, 0, 0))
                    .containsEntry("provider_success", new StoredResultsReencryption.Counts(7, 1, 0, 0));
            assertThat(keyIdsIn(dataSource, "onboarding", "true")).hasSize(8).containsOnly(ResultCipher.keyId(newKey));
            assertThat(keyIdsIn(dataSource, "provider_success", "true")).hasSize(8).containsOnly(ResultCipher.keyId(newKey));

            assertThat(new StoredResultsReencryption(dataSource, rotated, 3).run()).as("run again: nothing left to do")
                    .containsEntry("onboarding", new StoredResultsReencryption.Counts(0, 8, 0, 0))
                    .containsEntry("provider_success", new StoredResultsReencryption.Counts(0, 8, 0, 0));

            try (OnboardingStore newKeyOnly = store(dataSource, List.of(newKey))) {
                for (int i = 0; i < 7; i++) {
                    assertThat(newKeyOnly.find(ids.get(i))).get().extracting(s -> s.result().results().get("ahamove").credentials())
                            .isEqualTo(Map.of("token", "token-" + i));
                    assertThat(newKeyOnly.succeeded("erp", "merchant-" + i, Map.of("ahamove", "account")).get("ahamove").credentials()).isEqualTo(Map.of("token", "token-" + i));
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aResultAHubWritesMeanwhileIsKeptNotOverwrittenWithTheOlderOne(String database) throws Exception {
        TestDatabase.with(database, 10, dataSource -> {
            String id;
            OnboardingRequest request = request("merchant-9");
            try (OnboardingStore hubOnOldKey = store(dataSource, List.of(oldKey))) {
                id = UUID.randomUUID().toString();
                hubOnOldKey.claim(OnboardingResult.pending(id, null, "merchant-9", "erp"), request);

                // between the command's read of the PENDING row and its write, a hub not yet given the new key stores
                // the final result, under the old key
                AtomicBoolean hubWrote = new AtomicBoolean();
                ResultCipher rotated = new ResultCipher(List.of(newKey, oldKey)) {
                    @Override
                    public String decrypt(String stored) {
                        String plaintext = super.decrypt(stored);
                        if (plaintext.contains("PENDING") && hubWrote.compareAndSet(false, true)) {
                            hubOnOldKey.save(OnboardingResult.of(id, null, "merchant-9", "erp",
                                    List.of(ProviderResult.succeeded("ahamove", Map.of("token", "final-token"), 1))), request,
                                    Map.of("ahamove", "account"));
                        }
                        return plaintext;
                    }
                };
                var counts = new StoredResultsReencryption(dataSource, rotated, 100).run();
                assertThat(hubWrote).isTrue();
                assertThat(counts.get("onboarding")).isEqualTo(new StoredResultsReencryption.Counts(1, 0, 0, 0));
            }
            try (OnboardingStore newKeyOnly = store(dataSource, List.of(newKey))) {
                OnboardingResult stored = newKeyOnly.find(id).orElseThrow().result();
                assertThat(stored.status()).as("the hub's result, not the PENDING one read before").isEqualTo(OnboardingResult.Status.SUCCEEDED);
                assertThat(stored.results().get("ahamove").credentials()).isEqualTo(Map.of("token", "final-token"));
            }
        });
    }

    @Test
    void theRequestKeptForAPendingOnboardingIsRewrittenUnderTheNewKey() throws Exception {
        TestDatabase.with("h2", 10, dataSource -> {
            String id = UUID.randomUUID().toString();
            OnboardingRequest request = request("merchant-p").withProviders(List.of("ghtk"))
                    .withInputs(Map.of("ghtk", Map.of("password", "shop-password")), java.util.Set.of("ghtk.password"));
            try (OnboardingStore before = store(dataSource, List.of(oldKey))) {
                before.claim(OnboardingResult.pending(id, "p-1", "merchant-p", "erp"), request);
                saveOnboarding(before, "merchant-final", "token-final");
            }
            var counts = new StoredResultsReencryption(dataSource, new ResultCipher(List.of(newKey, oldKey)), 100).run();
            // the final onboarding keeps no request: only the PENDING one's is rewritten
            assertThat(counts.get("onboarding.pending_request")).isEqualTo(new StoredResultsReencryption.Counts(1, 0, 0, 0));
            try (OnboardingStore newKeyOnly = store(dataSource, List.of(newKey))) {
                assertThat(newKeyOnly.findPending(id)).get().extracting(s -> s.request().input("ghtk", "password"))
                        .isEqualTo("shop-password");
            }
        });
    }

    @Test
    void aDatabaseNotYetMigratedByThisVersionIsReencryptedAllTheSame() throws Exception {
        TestDatabase.with("h2", 10, dataSource -> {
            // the schema of the version before requests were kept for PENDING onboardings
            org.flywaydb.core.Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target("5")
                    .load().migrate();
            var counts = new StoredResultsReencryption(dataSource, new ResultCipher(List.of(newKey, oldKey)), 100).run();
            assertThat(counts).containsOnlyKeys("onboarding", "provider_success");
        });
    }

    @Test
    void rowsNoKeyReadsAreCountedAndLeftAsTheyAre() throws Exception {
        TestDatabase.with("h2", 10, dataSource -> {
            try (OnboardingStore before = store(dataSource, List.of(oldKey))) {
                saveOnboarding(before, "merchant-1", "token-1");
            }
            var counts = new StoredResultsReencryption(dataSource, new ResultCipher(newKey), 100).run();
            assertThat(counts.get("onboarding")).isEqualTo(new StoredResultsReencryption.Counts(0, 0, 1, 0));
            assertThat(counts.get("onboarding").complete()).isFalse();
            assertThat(keyIdsIn(dataSource, "onboarding", "true")).containsExactly(ResultCipher.keyId(oldKey));
        });
    }

    private String saveOnboarding(OnboardingStore store, String externalId, String token) {
        String id = UUID.randomUUID().toString();
        store.save(OnboardingResult.of(id, null, externalId, "erp",
                List.of(ProviderResult.succeeded("ahamove", Map.of("token", token), 1))), request(externalId),
                Map.of("ahamove", "account"));
        return id;
    }

    private OnboardingStore store(HikariDataSource dataSource, List<byte[]> keys) {
        OnboardingStore store = new OnboardingStore(dataSource, mapper, new ResultCipher(keys));
        store.migrate();
        return store;
    }

    /** Replaces the rows' ciphertexts with the same plaintext as ResultCipher wrote it before key ids (v1). */
    private void rewriteInV1(HikariDataSource dataSource, String table, String where) throws Exception {
        ResultCipher old = new ResultCipher(oldKey);
        try (Connection c = dataSource.getConnection()) {
            var rs = c.createStatement().executeQuery("SELECT result_json FROM " + table + " WHERE " + where);
            assertThat(rs.next()).isTrue();
            String plaintext = old.decrypt(rs.getString(1));
            var update = c.prepareStatement("UPDATE " + table + " SET result_json = ? WHERE " + where);
            update.setString(1, v1(oldKey, plaintext));
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    /** ResultCipher's v1 format: AES-256-GCM, {@code v1:<base64(iv (12) | ciphertext+tag)>}. */
    static String v1(byte[] key, String plaintext) throws Exception {
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        return "v1:" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length).put(iv).put(sealed).array());
    }

    /** The key id of each row's ciphertext (0 for a row without one), read from the database as stored. */
    private static List<Integer> keyIdsIn(HikariDataSource dataSource, String table, String where) throws Exception {
        List<Integer> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            var rs = c.createStatement().executeQuery("SELECT result_json FROM " + table + " WHERE " + where);
            while (rs.next()) {
                String stored = rs.getString(1);
                ids.add(stored.startsWith("v2:") ? ResultCipherTest.keyIdIn(stored) : 0);
            }
        }
        return ids;
    }

    private static OnboardingRequest request(String externalId) {
        return new OnboardingRequest(null, new OnboardingRequest.Merchant(externalId, "Shop", "0912345678",
                "shop@example.vn", "1 Lê Lợi, Quận 1", 10.77, 106.7, "VN"), List.of("ahamove"));
    }
}
