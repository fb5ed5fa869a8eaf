package vn.onboardinghub.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onboardinghub.events.OutboxRelay;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay of a channel with side-by-side attempts: a client whose receiver hangs holds at most half of them, and the
 * other clients' events, though queued after its backlog, are sent meanwhile; a poll never claims more than can start.
 */
class OutboxRelayTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aHangingReceiverDelaysNoOtherClientsEvents(String database) throws Exception {
        TestDatabase.with(database, 4, dataSource -> {
            try (OnboardingStore store = new OnboardingStore(dataSource, mapper, new ResultCipher(new byte[32]))) {
                store.migrate();
                store.sendEventsFor(client -> true);
                // the slow client's backlog first, many more events than a claim looks at, then the other client's events
                for (int i = 0; i < 40; i++) {
                    save(store, "slow-" + i, "slow");
                }
                save(store, "fast-0", "fast");
                save(store, "fast-1", "fast");
                CountDownLatch hanging = new CountDownLatch(1);
                List<String> started = new CopyOnWriteArrayList<>();
                List<String> delivered = new CopyOnWriteArrayList<>();
                ExecutorService threads = Executors.newFixedThreadPool(4);
                OutboxRelay relay = new OutboxRelay(store.outbox(), EventOutbox.Channel.WEBHOOK, () -> null, (due, body, trace) -> {
                    started.add(due.onboardingId());
                    if (due.client().equals("slow")) {
                        hanging.await(30, TimeUnit.SECONDS);
                    }
                    delivered.add(due.onboardingId());
                    return OutboxRelay.Outcome.delivered(204);
                }, new OutboxRelay.Retries(Duration.ofSeconds(1), Duration.ofSeconds(1), null, Duration.ofDays(1)),
                        Duration.ofSeconds(30), threads, 4, null);
                try {
                    await().atMost(Duration.ofSeconds(10)).until(() -> {
                        relay.deliverDue();
                        return delivered.containsAll(List.of("fast-0", "fast-1"));
                    });
                    // the hanging client has half of the 4 attempts, never more, however often the relay polls
                    await().atMost(Duration.ofSeconds(10)).during(Duration.ofMillis(500)).until(() -> {
                        relay.deliverDue();
                        return started.stream().filter(id -> id.startsWith("slow")).count() == 2;
                    });
                    hanging.countDown();
                    await().atMost(Duration.ofSeconds(10)).until(() -> {
                        relay.deliverDue();
                        return delivered.size() == 42;
                    });
                    assertThat(started).hasSize(42).doesNotHaveDuplicates();
                } finally {
                    hanging.countDown();
                    threads.shutdownNow();
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aFreedThreadGoesToTheClientThatWaitedNotToTheBacklog(String database) throws Exception {
        TestDatabase.with(database, 4, dataSource -> {
            try (OnboardingStore store = new OnboardingStore(dataSource, mapper, new ResultCipher(new byte[32]))) {
                store.migrate();
                store.sendEventsFor(client -> true);
                for (int i = 0; i < 5; i++) {
                    save(store, "a-" + i, "a");
                    save(store, "b-" + i, "b");
                }
                save(store, "c-0", "c");
                Map<String, CountDownLatch> answers = new java.util.concurrent.ConcurrentHashMap<>();
                List<String> started = new CopyOnWriteArrayList<>();
                ExecutorService threads = Executors.newFixedThreadPool(2);
                // two threads: a and b, whose receivers hang, take one each
                OutboxRelay relay = new OutboxRelay(store.outbox(), EventOutbox.Channel.WEBHOOK, () -> null, (due, body, trace) -> {
                    started.add(due.onboardingId());
                    if (!due.client().equals("c")) {
                        answers.computeIfAbsent(due.onboardingId(), id -> new CountDownLatch(1)).await(30, TimeUnit.SECONDS);
                    }
                    return OutboxRelay.Outcome.delivered(204);
                }, new OutboxRelay.Retries(Duration.ofSeconds(1), Duration.ofSeconds(1), null, Duration.ofDays(1)),
                        Duration.ofSeconds(30), threads, 2, null);
                try {
                    relay.deliverDue();
                    await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 2);
                    assertThat(started).containsExactlyInAnyOrder("a-0", "b-0");
                    // a's attempt ends: the free thread goes to c, which waited, not to a's or b's older backlog
                    answers.computeIfAbsent("a-0", id -> new CountDownLatch(1)).countDown();
                    await().atMost(Duration.ofSeconds(20)).until(() -> {
                        relay.deliverDue();
                        return started.size() == 3;
                    });
                    assertThat(started.get(2)).isEqualTo("c-0");
                } finally {
                    answers.values().forEach(CountDownLatch::countDown);
                    threads.shutdownNow();
                }
            }
        });
    }

    private static void save(OnboardingStore store, String id, String client) {
        store.save(OnboardingResult.of(id, "r-" + id, "M-" + id, client, List.of(ProviderResult.succeeded("ahamove",
                Map.of("token", "t"), 1))), new OnboardingRequest("r-" + id, new OnboardingRequest.Merchant("M", "Shop",
                "0912345678", null, null, null, null, "VN"), List.of("ahamove")), Map.of());
    }
}
