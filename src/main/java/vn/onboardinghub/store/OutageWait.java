package vn.onboardinghub.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Waits out an outage of the hub's own infrastructure ({@link InfrastructureUnavailableException}): the work is tried
 * again with backoff (0.25 s doubling up to {@code hub.outage.max-backoff-ms}, 5 s by default) for up to
 * {@code hub.outage.max-wait-seconds}, then the outage is
 * thrown. Only the step that failed is repeated (a claim, the save of a result), never a provider call. Remembers
 * the outage being waited out, for readiness ("paused: the database is unavailable").
 */
public class OutageWait {
    private static final Logger LOG = LoggerFactory.getLogger(OutageWait.class);
    private static final long FIRST_DELAY_MS = 250;
    /** The longest pause between two tries unless told otherwise ({@code hub.outage.max-backoff-ms}). */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

    /** The outage being waited out now: what is unavailable, since when. */
    public record Outage(String what, Instant since) {
    }

    private final Duration maxWait;
    private final long maxDelayMs;
    private final AtomicReference<Outage> current = new AtomicReference<>();

    public OutageWait(Duration maxWait) {
        this(maxWait, DEFAULT_MAX_BACKOFF);
    }

    /**
     * @param maxWait    how long the work may wait for the infrastructure in all
     * @param maxBackoff the longest pause between two tries: how late, at worst, the work notices the outage is over
     */
    public OutageWait(Duration maxWait, Duration maxBackoff) {
        this.maxWait = maxWait;
        this.maxDelayMs = Math.max(FIRST_DELAY_MS, maxBackoff.toMillis());
    }

    public Duration maxWait() {
        return maxWait;
    }

    /** The outage some work is waiting out now, if any. */
    public Optional<Outage> current() {
        return Optional.ofNullable(current.get());
    }

    /** Runs {@code work}; while it meets an outage, tries again with backoff until the window is over. */
    public <T> T until(String step, Supplier<T> work) {
        Instant start = Instant.now();
        long delay = FIRST_DELAY_MS;
        while (true) {
            try {
                T result = work.get();
                Outage outage = current.get();
                if (outage != null && current.compareAndSet(outage, null)) {
                    LOG.info("{} is available again (after {} s): the hub goes on", outage.what(),
                            Duration.between(outage.since(), Instant.now()).toSeconds());
                }
                return result;
            } catch (RuntimeException e) {
                if (!InfrastructureUnavailableException.isOutage(e)) {
                    throw e;
                }
                String what = e instanceof InfrastructureUnavailableException u ? u.what() : "the database";
                if (current.compareAndSet(null, new Outage(what, start))) {
                    LOG.warn("{} is unavailable ({}): waiting for it, up to {} s (hub.outage.max-wait-seconds)", what, step,
                            maxWait.toSeconds());
                }
                if (Duration.between(start, Instant.now()).plusMillis(delay).compareTo(maxWait) > 0) {
                    LOG.warn("{} has been unavailable for {} s ({}): giving up waiting", what,
                            Duration.between(start, Instant.now()).toSeconds(), step);
                    throw e instanceof InfrastructureUnavailableException ? e
                            : new InfrastructureUnavailableException(what, step + ": " + what + " is unavailable", e);
                }
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                delay = Math.min(maxDelayMs, delay * 2);
            }
        }
    }

    /** {@link #until} for work without a result. */
    public void untilDone(String step, Runnable work) {
        until(step, () -> {
            work.run();
            return null;
        });
    }
}
