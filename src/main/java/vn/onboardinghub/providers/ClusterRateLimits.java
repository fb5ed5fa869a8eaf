package vn.onboardinghub.providers;

import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Provider rate limits shared by every hub instance of one PostgreSQL database: a provider's limit belongs to the
 * partner account, not to a process. Each limit is a Bucket4j token bucket kept in the {@code provider_rate_limit}
 * table (one row per provider and limit, updated under {@code SELECT … FOR UPDATE}).
 *
 * <p>Why this configuration: a bucket of N tokens refilled N per second lets 2N calls through a one-second window
 * that straddles a refill. A bucket of <b>one</b> token refilled N per (1 s + {@code jitter}) gives the instances
 * turns at least (1 s + jitter) / N apart, whoever asks; a call waiting for its turn reserves it (Bucket4j's
 * blocking consume: one database round trip, then a sleep until the turn). N + 1 consecutive turns then span at least
 * 1 s + jitter, so as long as every call reaches the provider within {@code jitter} of the others' delay after its
 * turn, no one-second window at the provider, wherever it starts, holds more than N call arrivals. The hub keeps its
 * part of that promise: a call that wakes up later than half the jitter after its turn (a pause of the JVM, a
 * starved CPU) gives the turn up and takes a new one, leaving the other half for the trip to the provider (and the
 * clock difference between hosts: turns are reckoned on each instance's wall clock). The price is the margin: the
 * limit is used up to N / (1 + jitter).
 */
public final class ClusterRateLimits {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRateLimits.class);
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Turns are reckoned on the wall clock (every instance must agree on the time); Bucket4j's default reads it in
     * whole milliseconds, this one to the microsecond.
     */
    private static final TimeMeter WALL_CLOCK = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            Instant now = Instant.now();
            return now.getEpochSecond() * SECOND_NANOS + now.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    };

    private final ProxyManager<String> buckets;
    private final Duration jitter;

    /** {@code dataSource}: the hub's PostgreSQL database, where Flyway created {@code provider_rate_limit}. */
    public ClusterRateLimits(DataSource dataSource, Duration jitter) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("provider_rate_limit")
                .clientClock(WALL_CLOCK)
                .build();
        this.jitter = jitter;
    }

    /** The provider's shared limit of {@code perSecond} calls in any one-second window at the provider. */
    ProviderGuards.RateLimit limit(String provider, int perSecond) {
        BucketConfiguration turns = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(1).refillGreedy(perSecond, Duration.ofSeconds(1).plus(jitter)))
                .build();
        // the limit is part of the key: instances agree on a bucket only when they agree on the limit, and a changed
        // limit starts a bucket of its own instead of inheriting the old one's pace
        BucketProxy bucket = buckets.builder().build(provider + ":" + perSecond + "/s+" + jitter.toMillis() + "ms", () -> turns);
        long lateLimitNanos = jitter.toNanos() / 2;
        return maxWaitMs -> {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
            while (true) {
                Turn turn = new Turn();
                if (!bucket.asBlocking().tryConsume(1, Math.max(0, deadline - System.nanoTime()), turn)) {
                    return null;
                }
                long late = turn.lateNanos();
                if (late <= lateLimitNanos) {
                    // nothing to give back: the bucket's refill, not the call's end, makes the next turn
                    return () -> { };
                }
                LOG.info("{} rate limit: a call woke up {} ms after its turn; it takes a new one", provider,
                        TimeUnit.NANOSECONDS.toMillis(late));
            }
        };
    }

    /**
     * Waits for a reserved turn and tells how late the wait ended. The turn is reckoned from before the reservation
     * was asked for, so the database round trip counts as lateness too (never the other way round).
     */
    private static final class Turn implements BlockingStrategy {
        private final long askedAt = System.nanoTime();
        private long due = askedAt;

        @Override
        public void park(long nanosToPark) throws InterruptedException {
            due = askedAt + nanosToPark;
            BlockingStrategy.PARKING.park(nanosToPark);
        }

        long lateNanos() {
            return System.nanoTime() - due;
        }
    }
}
