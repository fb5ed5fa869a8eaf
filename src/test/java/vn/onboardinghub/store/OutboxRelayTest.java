package vn.onboardinghub.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.events.OutboxRelay;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances' relays on one outbox: an event claimed by an instance but queued behind a slow attempt until its
 * claim ran out is taken over by the other instance and sent once, never also by the first.
 */
class OutboxRelayTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void anEventWhoseClaimRanOutWhileQueuedIsSentOnlyByTheInstanceThatTookItOver() throws Exception {
        TestDatabase.with("postgresql", 4, dataSource -> {
            try (OnboardingStore store = new OnboardingStore(dataSource, mapper, new ResultCipher(new byte[32]))) {
                store.migrate();
                store.sendEventsFor(client -> true);
                for (String id : List.of("ob-1", "ob-2")) {
                    store.save(OnboardingResult.of(id, "r-" + id, "M-" + id, "erp", List.of(ProviderResult.succeeded("ahamove",
                            Map.of("token", "t"), 1))), new OnboardingRequest("r-" + id, new OnboardingRequest.Merchant("M", "Shop",
                            "0912345678", null, null, null, null, "VN"), List.of("ahamove")), Map.of());
                }
                CountDownLatch slow = new CountDownLatch(1);
                List<String> sentByA = new CopyOnWriteArrayList<>();
                List<String> sentByB = new CopyOnWriteArrayList<>();
                ExecutorService oneAtATime = Executors.newSingleThreadExecutor();
                Duration lease = Duration.ofSeconds(1);
                OutboxRelay a = new OutboxRelay(store.outbox(), EventOutbox.Channel.WEBHOOK, () -> null, (due, body, trace) -> {
                    sentByA.add(due.onboardingId());
                    // the first attempt hangs (a slow receiver) while the second waits behind it
                    slow.await(30, TimeUnit.SECONDS);
                    return OutboxRelay.Outcome.delivered(204);
                }, new OutboxRelay.Retries(Duration.ofSeconds(1), Duration.ofSeconds(1), null, Duration.ofDays(1)), lease,
                        oneAtATime, null);
                OutboxRelay b = new OutboxRelay(store.outbox(), EventOutbox.Channel.WEBHOOK, () -> null, (due, body, trace) -> {
                    sentByB.add(due.onboardingId());
                    return OutboxRelay.Outcome.delivered(204);
                }, new OutboxRelay.Retries(Duration.ofSeconds(1), Duration.ofSeconds(1), null, Duration.ofDays(1)), lease,
                        null, null);
                try {
                    CompletableFuture<Integer> pollOfA = CompletableFuture.supplyAsync(() -> {
                        try {
                            return a.deliverDue();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    await().atMost(Duration.ofSeconds(10)).until(() -> sentByA.size() == 1);
                    // both claims of a run out; b takes them over: the hanging one and the one queued behind it
                    await().atMost(Duration.ofSeconds(10)).until(() -> {
                        b.deliverDue();
                        return sentByB.size() == 2;
                    });
                    slow.countDown();
                    assertThat(pollOfA.get(30, TimeUnit.SECONDS)).isEqualTo(2);
                    assertThat(sentByA).as("a made only the attempt it had started before its claim ran out").hasSize(1);
                    assertThat(sentByB).containsExactlyInAnyOrder("ob-1", "ob-2");
                } finally {
                    slow.countDown();
                    oneAtATime.shutdownNow();
                }
            }
        });
    }
}
