package vn.onboardinghub.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many instances (threads here) writing at once: one winner per requestId, one remembered success per merchant and
 * provider, and no onboarding fails to be stored because another one of the same merchant was stored first.
 * On the embedded H2 file database and on a real PostgreSQL, where a unique violation aborts a transaction.
 */
class OnboardingStoreConcurrencyTest {
    static final int THREADS = 12;
    final ObjectMapper mapper = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrentOnboardingsOfOneMerchantAreAllStoredAndItsSuccessIsKeptOnce(String database) throws Exception {
        withStore(database, (store, connection) -> {
            OnboardingRequest request = request(null, "merchant-1");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                assertThat(store.claim(OnboardingResult.pending(id, null, "merchant-1", "erp"), request)).isEmpty();
            }
            List<OnboardingResult> finals = ids.stream().map(id -> OnboardingResult.of(id, null, "merchant-1", "erp",
                    List.of(ProviderResult.succeeded("ahamove", Map.of("token", "token-of-" + id), 1)))).toList();
            all(finals.stream().<Callable<Object>>map(r -> () -> {
                store.save(r, request, Map.of("ahamove", "account-1"));
                return null;
            }).toList());

            for (String id : ids) {
                assertThat(store.find(id)).get().extracting(s -> s.result().status()).isEqualTo(OnboardingResult.Status.SUCCEEDED);
            }
            var rs = connection.createStatement().executeQuery(
                    "SELECT count(*), min(onboarding_id) FROM provider_success WHERE external_id = 'merchant-1'");
            rs.next();
            assertThat(rs.getInt(1)).as("the merchant's Ahamove success, remembered once").isEqualTo(1);
            assertThat(store.succeeded("erp", "merchant-1", Map.of("ahamove", "account-1")).get("ahamove").credentials().get("token"))
                    .isEqualTo("token-of-" + rs.getString(2));
            assertThat(store.succeeded("erp", "merchant-1", Map.of("ahamove", "account-2")))
                    .as("other account inputs: nothing to reuse").isEmpty();
            assertThat(store.succeeded("sales", "merchant-1", Map.of("ahamove", "account-1")))
                    .as("another client's merchant: nothing to reuse").isEmpty();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrentClaimsOfOneRequestIdHaveOneWinner(String database) throws Exception {
        withStore(database, (store, connection) -> {
            OnboardingRequest request = request("request-1", "merchant-2");
            List<Callable<Optional<OnboardingResult>>> claims = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                String id = UUID.randomUUID().toString();
                claims.add(() -> store.claim(OnboardingResult.pending(id, "request-1", "merchant-2", "erp"), request));
            }
            List<Optional<OnboardingResult>> outcomes = all(claims);

            assertThat(outcomes.stream().filter(Optional::isEmpty)).as("claims won").hasSize(1);
            String winner = store.findByRequestId("erp", "request-1").orElseThrow().onboardingId();
            assertThat(outcomes.stream().filter(Optional::isPresent).map(o -> o.get().onboardingId()))
                    .as("the others are given the winner").hasSize(THREADS - 1).containsOnly(winner);
            assertThat(store.claim(OnboardingResult.pending(UUID.randomUUID().toString(), "request-1", "merchant-2", "sales"), request))
                    .as("another client's requestId is its own").isEmpty();
        });
    }

    interface StoreCheck {
        void run(OnboardingStore store, Connection connection) throws Exception;
    }

    private void withStore(String database, StoreCheck check) throws Exception {
        TestDatabase.with(database, THREADS, dataSource -> {
            try (Connection connection = dataSource.getConnection();
                 OnboardingStore store = new OnboardingStore(dataSource, mapper, new ResultCipher(new byte[32]))) {
                store.migrate();
                check.run(store, connection);
            }
        });
    }

    /** Runs every task at once (released together) and returns their results, failing on any task's failure. */
    private static <T> List<T> all(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static OnboardingRequest request(String requestId, String externalId) {
        return new OnboardingRequest(requestId, new OnboardingRequest.Merchant(externalId, "Shop", "0912345678",
                "shop@example.vn", "1 Lê Lợi, Quận 1", 10.77, 106.7, "VN"), List.of("ahamove"));
    }
}
