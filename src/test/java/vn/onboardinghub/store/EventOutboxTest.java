package vn.onboardinghub.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event outbox as instances share it: written with the result, an onboarding's events claimed one after the
 * other, a claim held by one instance at a time, and taken over once its lease has passed (its holder died); later
 * changes of bus-made onboardings and batch records queued for their own channels.
 */
class EventOutboxTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void eventsAreClaimedInOrderPerOnboardingByOneInstanceAndTakenOverAfterTheLease(String database) throws Exception {
        TestDatabase.with(database, 4, dataSource -> {
            try (OnboardingStore store = new OnboardingStore(dataSource, mapper, new ResultCipher(new byte[32]))) {
                store.migrate();
                store.sendEventsFor(client -> client.equals("erp"));
                OnboardingResult waiting = OnboardingResult.of("ob-1", "r-1", "M-1", "erp", List.of(
                        ProviderResult.actionRequired("its", new ProviderResult.Action("AUTHORIZE", "https://its/auth", 900), null, 1)));
                store.save(waiting, request("r-1"), Map.of());
                // stored again unchanged: nothing new to tell
                store.save(waiting, request("r-1"), Map.of());
                store.save(waiting.with(ProviderResult.succeeded("its", Map.of("shopId", "s-1", "shopKey", "secret-shop-key"), 2)),
                        request("r-1"), Map.of());
                store.save(OnboardingResult.of("ob-2", "r-2", "M-2", "erp", List.of(ProviderResult.succeeded("ahamove",
                        Map.of("token", "secret-token"), 1))), request("r-2"), Map.of());
                store.save(OnboardingResult.of("ob-3", "r-3", "M-3", "pos", List.of(ProviderResult.succeeded("ahamove",
                        Map.of("token", "secret-token"), 1))), request("r-3"), Map.of());
                EventOutbox outbox = store.outbox();

                // an instance without erp's webhook-url leaves erp's events to the others
                assertThat(outbox.claim("instance-c", EventOutbox.Channel.WEBHOOK, List.of("pos"), 10, Duration.ofSeconds(30))).isEmpty();
                assertThat(outbox.claim("instance-c", EventOutbox.Channel.WEBHOOK, List.<String>of(), 10, Duration.ofSeconds(30))).isEmpty();
                List<EventOutbox.Due> a = outbox.claim("instance-a", EventOutbox.Channel.WEBHOOK, List.of("erp", "pos"), 10, Duration.ofSeconds(1));
                // ob-1's second event waits for its first; pos has no webhook
                assertThat(a).extracting(EventOutbox.Due::onboardingId, EventOutbox.Due::type).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ob-1", "onboarding.action_required"),
                        org.assertj.core.groups.Tuple.tuple("ob-2", "onboarding.completed"));
                assertThat(a).allSatisfy(due -> assertThat(outbox.body(due)).doesNotContain("secret"));
                assertThat(outbox.claim("instance-b", 10, Duration.ofSeconds(30))).as("claimed by a").isEmpty();

                // instance a dies holding them: b takes them over once the lease has passed
                List<EventOutbox.Due> b = await().atMost(Duration.ofSeconds(10))
                        .until(() -> outbox.claim("instance-b", 10, Duration.ofSeconds(30)), taken -> !taken.isEmpty());
                assertThat(b).extracting(EventOutbox.Due::eventId).containsExactlyElementsOf(a.stream().map(EventOutbox.Due::eventId).toList());
                // a's claim ran out: a must not make its attempt now (b makes it), nor does its late outcome count
                assertThat(outbox.renew(a.get(0), "instance-a", Duration.ofSeconds(30))).isFalse();
                assertThat(outbox.renew(b.get(0), "instance-b", Duration.ofSeconds(30))).isTrue();
                outbox.failed(a.get(0), "instance-a", 503, "answered 503", null);
                assertThat(outbox.list("erp", 10)).allMatch(d -> d.state() == EventOutbox.State.PENDING);

                outbox.delivered(b.get(0), "instance-b", 204);
                List<EventOutbox.Due> next = outbox.claim("instance-b", 10, Duration.ofSeconds(30));
                assertThat(next).extracting(EventOutbox.Due::onboardingId, EventOutbox.Due::type)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("ob-1", "onboarding.updated"));
                assertThat(outbox.list("erp", 10)).extracting(EventOutbox.Delivery::type, EventOutbox.Delivery::state).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("onboarding.completed", EventOutbox.State.PENDING),
                        org.assertj.core.groups.Tuple.tuple("onboarding.updated", EventOutbox.State.PENDING),
                        org.assertj.core.groups.Tuple.tuple("onboarding.action_required", EventOutbox.State.DELIVERED));
                assertThat(outbox.list("pos", 10)).isEmpty();
                // finished events are forgotten after a while; waiting ones never
                assertThat(outbox.purge(EventOutbox.Channel.WEBHOOK, java.time.Instant.now().plusSeconds(1))).isEqualTo(1);
                assertThat(outbox.list("erp", 10)).extracting(EventOutbox.Delivery::state)
                        .containsOnly(EventOutbox.State.PENDING).hasSize(2);
            }
        });
    }

    @org.junit.jupiter.api.Test
    void reencryptRewritesTheOutboxSoThatTheOldKeyCanGo() throws Exception {
        byte[] oldKey = new byte[32];
        byte[] newKey = new byte[32];
        newKey[0] = 1;
        TestDatabase.with("h2", 4, dataSource -> {
            try (OnboardingStore before = new OnboardingStore(dataSource, mapper, new ResultCipher(oldKey))) {
                before.migrate();
                before.sendEventsFor(client -> true);
                before.save(OnboardingResult.of("ob-1", "r-1", "M-1", "erp", List.of(ProviderResult.succeeded("ahamove",
                        Map.of("token", "t"), 1))), request("r-1"), Map.of());
            }
            var counts = new StoredResultsReencryption(dataSource, new ResultCipher(List.of(newKey, oldKey)), 100).run();
            assertThat(counts).containsEntry("event_outbox.payload", new StoredResultsReencryption.Counts(1, 0, 0, 0));
            try (OnboardingStore after = new OnboardingStore(dataSource, mapper, new ResultCipher(newKey))) {
                EventOutbox.Due due = after.outbox().claim("instance-a", 10, Duration.ofSeconds(30)).get(0);
                assertThat(after.outbox().body(due)).contains("\"type\":\"onboarding.completed\"");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void laterChangesOfBusAndBatchOnboardingsAreQueuedForTheirChannelsFirstResultsAreNot(String database) throws Exception {
        TestDatabase.with(database, 4, dataSource -> {
            try (OnboardingStore store = new OnboardingStore(dataSource, mapper, new ResultCipher(new byte[32]))) {
                store.migrate();
                ProviderResult waiting = ProviderResult.actionRequired("its", new ProviderResult.Action("AUTHORIZE", "https://its/auth", 900), null, 1);
                ProviderResult done = ProviderResult.succeeded("its", Map.of("shopId", "s-1", "shopKey", "secret-shop-key"), 2);
                OnboardingResult bus = OnboardingResult.of("ob-bus", "r-bus", "M-1", "erp", List.of(waiting));
                OnboardingResult batch = OnboardingResult.of("ob-file", "batch-b1-7", "M-2", "file:shops.csv", List.of(waiting));
                OnboardingResult rest = OnboardingResult.of("ob-rest", "r-rest", "M-3", "pos", List.of(waiting));
                store.claim(OnboardingResult.pending("ob-bus", "r-bus", "M-1", "erp"), request("r-bus"),
                        new OnboardingStore.Origin(null, null, "order-42", null));
                store.claim(OnboardingResult.pending("ob-file", "batch-b1-7", "M-2", "file:shops.csv"), request("batch-b1-7"),
                        new OnboardingStore.Origin("b1", 7L, null, null));
                store.claim(OnboardingResult.pending("ob-rest", "r-rest", "M-3", "pos"), request("r-rest"));
                for (OnboardingResult first : List.of(bus, batch, rest)) {
                    store.save(first, request(first.requestId()), Map.of());
                }
                EventOutbox outbox = store.outbox();
                // the first results were answered on their channel (the bus reply, the results file): nothing queued
                assertThat(outbox.claim("i", EventOutbox.Channel.BUS, null, 10, Duration.ofSeconds(30))).isEmpty();
                assertThat(outbox.claim("i", EventOutbox.Channel.FILE, null, 10, Duration.ofSeconds(30))).isEmpty();

                for (OnboardingResult first : List.of(bus, batch, rest)) {
                    store.save(first.with(done), request(first.requestId()), Map.of());
                }
                List<EventOutbox.Due> busUpdates = outbox.claim("i", EventOutbox.Channel.BUS, null, 10, Duration.ofSeconds(30));
                assertThat(busUpdates).extracting(EventOutbox.Due::onboardingId, EventOutbox.Due::type, EventOutbox.Due::destination)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("ob-bus", "onboarding.updated", "order-42"));
                // the bus gets the whole result: it has no GET
                OnboardingResult published = mapper.readValue(outbox.body(busUpdates.get(0)), OnboardingResult.class);
                assertThat(published.status()).isEqualTo(OnboardingResult.Status.SUCCEEDED);
                assertThat(outbox.body(busUpdates.get(0))).contains("secret-shop-key");

                List<EventOutbox.Due> lines = outbox.claim("i", EventOutbox.Channel.FILE, null, 10, Duration.ofSeconds(30));
                assertThat(lines).extracting(EventOutbox.Due::onboardingId, EventOutbox.Due::destination)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("ob-file", "b1"));
                var line = mapper.readTree(outbox.body(lines.get(0)));
                assertThat(line.path("line").asLong()).isEqualTo(7);
                assertThat(line.path("batchId").asText()).isEqualTo("b1");
                assertThat(line.path("status").asText()).isEqualTo("SUCCEEDED");
                assertThat(line.toString()).doesNotContain("secret-shop-key");
                assertThat(outbox.ofBatch("b1", 10)).containsExactly(outbox.body(lines.get(0)));
                // no webhook for anyone (no client has one), nothing on another channel for the REST onboarding
                assertThat(outbox.claim("i", 10, Duration.ofSeconds(30))).isEmpty();
            }
        });
    }

    private static OnboardingRequest request(String requestId) {
        return new OnboardingRequest(requestId, new OnboardingRequest.Merchant("M", "Shop", "0912345678",
                "shop@example.vn", "1 Lê Lợi, Quận 1", 10.77, 106.7, "VN"), List.of("its"));
    }
}
