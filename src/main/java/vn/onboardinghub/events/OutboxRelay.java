package vn.onboardinghub.events;

import io.opentelemetry.api.trace.Tracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.ops.Traces;
import vn.onboardinghub.store.EventOutbox;
import vn.onboardinghub.store.InfrastructureUnavailableException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Sends one channel's events from the outbox ({@link EventOutbox}), called on a timer by that channel's route: claims
 * the due events (one instance at a time, in order per onboarding), hands each to the channel's {@link Sender} (on a
 * thread pool, or one after the other), and records the outcome. Each claim is renewed right before its attempt, and
 * the attempt skipped when the claim ran out meanwhile: an event queued behind slow attempts is never sent by two
 * instances. A failed attempt is tried again with exponential
 * backoff, until {@link Retries#giveUpAfter} after the event was queued (then FAILED), or for ever when that is null
 * (the channel is the hub's own infrastructure: a record's news is never dropped because it was away). An outage of
 * the database only pauses the relay; an attempt whose outcome cannot be recorded is made again (at least once). Each
 * attempt is a span of the trace its change was made in, when tracing is on.
 */
public final class OutboxRelay {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    /** Events claimed per poll at most by a relay that sends them one after the other. */
    private static final int CLAIM_LIMIT = 50;
    /** How often an instance forgets the finished events older than {@link Retries#keep}. */
    private static final Duration PURGE_EVERY = Duration.ofHours(1);

    /** What one attempt gave: delivered (an error of null), or why not, with the status answered if any. */
    public record Outcome(Integer status, String error) {
        public static Outcome delivered(Integer status) {
            return new Outcome(status, null);
        }

        public static Outcome failed(Integer status, String error) {
            return new Outcome(status, error);
        }
    }

    /** Sends one event's body somewhere, once; {@code traceparent} (the attempt's span, or null) goes with it. */
    @FunctionalInterface
    public interface Sender {
        Outcome send(EventOutbox.Due due, String body, String traceparent) throws Exception;
    }

    /**
     * Backoff of failed attempts (from {@code initial}, doubling to {@code max}), when to give up ({@code giveUpAfter}
     * after it was queued; null: never), and how long finished events stay before the outbox forgets them.
     */
    public record Retries(Duration initial, Duration max, Duration giveUpAfter, Duration keep) {
    }

    private final EventOutbox store;
    private final EventOutbox.Channel channel;
    private final Supplier<Collection<String>> clients;
    private final Sender sender;
    private final Retries retries;
    private final Duration lease;
    private final String instance;
    private final ExecutorService executor;
    /** Attempts in flight at most (the executor's threads), and per client at most: half of them. */
    private final int concurrency;
    private final int perClient;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> inFlightOf = new ConcurrentHashMap<>();
    /** When each client was last given a thread (a turn number): the longest waiting goes first among equals. */
    private final Map<String, Long> served = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong turns = new java.util.concurrent.atomic.AtomicLong();
    private final Supplier<Tracer> tracer;
    private final AtomicBoolean waitingForDatabase = new AtomicBoolean();
    private volatile Instant nextPurge = Instant.now();
    private volatile BiConsumer<String, String> attempts = (channelName, outcome) -> { };

    /**
     * @param clients  whose events this instance sends (null: every client's)
     * @param lease       how long a claim holds: longer than the longest attempt (it is renewed right before it)
     * @param executor    where attempts run side by side, at most {@code concurrency} at once (its threads), and at
     *                    most half of them for one client: a poll claims only what can start at once and does not
     *                    wait for it, so a slow receiver delays no other client's events beyond that half. Null: one
     *                    after the other on the caller's thread, the poll waiting for them
     * @param tracer      the hub's tracer, or null when tracing is off
     */
    public OutboxRelay(EventOutbox store, EventOutbox.Channel channel, Supplier<Collection<String>> clients, Sender sender,
                       Retries retries, Duration lease, ExecutorService executor, int concurrency, Supplier<Tracer> tracer) {
        this.store = store;
        this.channel = channel;
        this.clients = clients;
        this.sender = sender;
        this.retries = retries;
        this.lease = lease;
        this.instance = instanceName();
        this.executor = executor;
        this.concurrency = executor == null ? 1 : concurrency;
        this.perClient = Math.max(1, this.concurrency / 2);
        this.tracer = tracer;
    }

    /**
     * The relay of a channel that is the hub's own infrastructure (the broker, the outbox folder): the events of
     * {@code clients} (null: every client's), one after the other, tried again (1 s doubling to 60 s) until sent, never
     * given up.
     */
    public static OutboxRelay untilSent(EventOutbox store, EventOutbox.Channel channel, Supplier<Collection<String>> clients,
                                        Sender sender, Duration keep, Supplier<Tracer> tracer) {
        return new OutboxRelay(store, channel, clients, sender,
                new Retries(Duration.ofSeconds(1), Duration.ofSeconds(60), null, keep), Duration.ofSeconds(60), null, 1, tracer);
    }

    /** Where each attempt is counted: (channel, outcome {@code delivered}, {@code retried} or {@code failed}). */
    public void countWith(BiConsumer<String, String> attempts) {
        this.attempts = attempts;
    }

    /**
     * One poll: claims the due events and sends them (with an executor: starts them, as many as it has free threads,
     * and returns); the number sent, tried or started.
     */
    public int deliverDue() {
        List<EventOutbox.Due> due;
        try {
            due = executor == null ? store.claim(instance, channel, clients.get(), CLAIM_LIMIT, lease)
                    : store.claim(instance, channel, shares(store.dueByClient(channel, clients.get())), lease);
        } catch (RuntimeException e) {
            if (!InfrastructureUnavailableException.isOutage(e)) {
                throw e;
            }
            if (waitingForDatabase.compareAndSet(false, true)) {
                LOG.warn("{} events paused: the database is unavailable; they go on when it is back", name());
            }
            return 0;
        }
        if (waitingForDatabase.compareAndSet(true, false)) {
            LOG.info("{} events go on: the database is available again", name());
        }
        if (!Instant.now().isBefore(nextPurge)) {
            nextPurge = Instant.now().plus(PURGE_EVERY);
            int forgotten = store.purge(channel, Instant.now().minus(retries.keep()));
            if (forgotten > 0) {
                LOG.info("event outbox: {} delivered or failed {} events older than {} days forgotten", forgotten, name(),
                        retries.keep().toDays());
            }
        }
        if (executor == null) {
            for (EventOutbox.Due event : due) {
                deliver(event);
            }
            return due.size();
        }
        for (EventOutbox.Due event : due) {
            AtomicInteger ofClient = inFlightOf.computeIfAbsent(event.client(), c -> new AtomicInteger());
            inFlight.incrementAndGet();
            ofClient.incrementAndGet();
            try {
                executor.execute(() -> {
                    try {
                        deliver(event);
                    } catch (RuntimeException e) {
                        LOG.warn("a {} delivery failed unexpectedly: {}", name(), e.getClass().getName());
                    } finally {
                        ofClient.decrementAndGet();
                        inFlight.decrementAndGet();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // the hub is stopping: the claim runs out and the event is sent later
                ofClient.decrementAndGet();
                inFlight.decrementAndGet();
            }
        }
        return due.size();
    }

    /**
     * How many of its due events each client may start now: the free threads, one at a time to the client with the
     * fewest attempts in flight (then the one served longest ago), none beyond half the threads: a client whose
     * receiver hangs gets no thread before the others had their turn, however old or many its events.
     */
    private Map<String, Integer> shares(Map<String, Integer> due) {
        Map<String, Integer> shares = new java.util.HashMap<>();
        for (int free = concurrency - inFlight.get(); free > 0; free--) {
            String next = null;
            int fewest = Integer.MAX_VALUE;
            for (Map.Entry<String, Integer> client : due.entrySet()) {
                int share = shares.getOrDefault(client.getKey(), 0);
                int busy = inFlightOf.computeIfAbsent(client.getKey(), c -> new AtomicInteger()).get() + share;
                if (share >= client.getValue() || busy >= perClient) {
                    continue;
                }
                if (busy < fewest || busy == fewest && lastServed(client.getKey()) < lastServed(next)) {
                    next = client.getKey();
                    fewest = busy;
                }
            }
            if (next == null) {
                break;
            }
            shares.merge(next, 1, Integer::sum);
            served.put(next, turns.incrementAndGet());
        }
        return shares;
    }

    private long lastServed(String client) {
        return client == null ? Long.MAX_VALUE : served.getOrDefault(client, 0L);
    }

    private void deliver(EventOutbox.Due due) {
        try {
            if (!store.renew(due, instance, lease)) {
                LOG.info("{} event {}: its claim ran out before its turn; whoever claims it now sends it", name(), due.eventId());
                return;
            }
            String body;
            try {
                body = store.body(due);
            } catch (RuntimeException e) {
                store.failed(due, instance, null, "the event cannot be read with hub.crypto.key", null);
                attempts.accept(name(), "failed");
                return;
            }
            Outcome outcome;
            try (Traces.Delivery span = Traces.delivery(tracer == null ? null : tracer.get(), due.traceparent(), name(), due.eventId(), due.type())) {
                try {
                    outcome = sender.send(due, body, span.traceparent());
                } catch (Exception e) {
                    outcome = Outcome.failed(null, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                }
                span.outcome(outcome.status(), outcome.error());
            }
            if (outcome.error() == null) {
                store.delivered(due, instance, outcome.status() == null ? 0 : outcome.status());
                attempts.accept(name(), "delivered");
                LOG.info("{} event {} {} of onboarding {} delivered for client {}", name(), due.eventId(), due.type(),
                        due.onboardingId(), due.client());
                return;
            }
            Instant now = Instant.now();
            int attempt = due.attempts() + 1;
            Instant next = retries.giveUpAfter() != null
                    && Duration.between(due.queuedAt(), now).compareTo(retries.giveUpAfter()) >= 0 ? null : now.plus(backoff(attempt));
            store.failed(due, instance, outcome.status(), outcome.error(), next);
            if (next == null) {
                attempts.accept(name(), "failed");
                LOG.warn("{} event {} {} of onboarding {} for client {} given up after {} attempts: {}", name(), due.eventId(),
                        due.type(), due.onboardingId(), due.client(), attempt, outcome.error());
            } else {
                attempts.accept(name(), "retried");
                LOG.info("{} event {} for client {}: attempt {} failed ({}), next at {}", name(), due.eventId(), due.client(),
                        attempt, outcome.error(), next);
            }
        } catch (RuntimeException e) {
            if (!InfrastructureUnavailableException.isOutage(e)) {
                throw e;
            }
            // not recorded: the claim runs out and the event is sent again (at least once)
            LOG.warn("{} event {}: its outcome cannot be recorded, the database is unavailable; it will be sent again", name(),
                    due.eventId());
        }
    }

    private Duration backoff(int attempt) {
        long factor = 1L << Math.min(30, attempt - 1);
        Duration delay = retries.initial().multipliedBy(factor);
        return delay.compareTo(retries.max()) > 0 || delay.isNegative() ? retries.max() : delay;
    }

    private String name() {
        return channel.name().toLowerCase(Locale.ROOT);
    }

    /** Who holds a claim: host and a random part, so two instances on one host differ. */
    private static String instanceName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown";
        }
        String name = host + "-" + UUID.randomUUID().toString().substring(0, 8);
        return name.length() > 100 ? name.substring(name.length() - 100) : name;
    }
}
