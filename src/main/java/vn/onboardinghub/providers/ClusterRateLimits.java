package vn.onboardinghub.providers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;

/**
 * Provider rate limits shared by every hub instance of one PostgreSQL database: a provider's limit belongs to the
 * partner account, not to a process. The same rule as the per-instance limit, held in the database: N permits per
 * provider (rows of {@code provider_call_permit}); a call takes a free one before it is sent, and when the call has
 * ended (answer or failure) its permit stays busy one more second. A permit is taken before the provider receives the
 * call and comes back a second after that, so no one-second window at the provider, wherever it starts, holds more
 * than N calls, however slowly a request travels or a hub is scheduled. Every time is the database's clock, so the
 * hosts' clocks do not matter.
 *
 * <p>Why not a token bucket (Bucket4j's PostgreSQL bucket was measured here): a bucket paces the <em>turns</em>; a
 * call that reaches the provider later than its turn (a JVM pause, a starved CPU) lands next to the following ones,
 * and on a loaded machine two instances put 41 calls in a one-second window of a 40/s limit. A bucket used as a
 * semaphore (tokens given back after the call) never gets back the permits of an instance that died holding them.
 * Here a taken permit is a lease: it is free again after {@code lease} even if its instance never says the call ended.
 *
 * <p>Within an instance, calls wait for a permit in line, so only the first {@value #ASKING} of them ask the database
 * (several, so that permits freed together are taken together), and they sleep until the earliest moment a permit can
 * be free instead of polling.
 */
public final class ClusterRateLimits {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRateLimits.class);
    /** Calls of one instance asking the database for a permit at the same time, per provider. */
    private static final int ASKING = 4;

    /** Takes the lowest free permit; SKIP LOCKED lets instances taking permits at the same moment take different ones. */
    private static final String TAKE = """
            UPDATE provider_call_permit SET busy_until = clock_timestamp() + make_interval(secs => ?)
            WHERE provider = ? AND slot = (SELECT slot FROM provider_call_permit
                WHERE provider = ? AND slot < ? AND busy_until <= clock_timestamp()
                ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING slot""";
    /** Milliseconds until the earliest busy permit is free (0 or less: one is free now). */
    private static final String NEXT_FREE = """
            SELECT CEIL(EXTRACT(EPOCH FROM MIN(busy_until) - clock_timestamp()) * 1000)
            FROM provider_call_permit WHERE provider = ? AND slot < ?""";
    /** The call has ended: its permit is busy one more second. */
    private static final String RETURN = """
            UPDATE provider_call_permit SET busy_until = clock_timestamp() + INTERVAL '1 second'
            WHERE provider = ? AND slot = ?""";
    private static final String CREATE = """
            INSERT INTO provider_call_permit (provider, slot, busy_until) VALUES (?, ?, clock_timestamp())
            ON CONFLICT DO NOTHING""";

    /** Connections of the permits' own pool: a permit is taken and given back without waiting behind the store. */
    private static final int CONNECTIONS = 8;

    private final HikariDataSource hubDatabase;
    private final Duration lease;
    private DataSource permitsDatabase;

    /**
     * {@code hubDatabase}: the hub's PostgreSQL database, where Flyway created {@code provider_call_permit};
     * {@code lease}: longer than any call can last (the HTTP timeouts), after which a permit whose instance never gave
     * it back is free again.
     */
    public ClusterRateLimits(HikariDataSource hubDatabase, Duration lease) {
        this.hubDatabase = hubDatabase;
        this.lease = lease;
    }

    /** The same database through a small pool of its own, opened by the first limit. */
    private synchronized DataSource permitsDatabase() {
        if (permitsDatabase == null) {
            HikariConfig config = new HikariConfig();
            hubDatabase.copyStateTo(config);
            config.setPoolName("provider-call-permits");
            config.setMaximumPoolSize(CONNECTIONS);
            config.setMinimumIdle(1);
            permitsDatabase = new HikariDataSource(config);
        }
        return permitsDatabase;
    }

    /** The provider's shared limit of {@code perSecond} calls in any one-second window at the provider. */
    ProviderGuards.RateLimit limit(String provider, int perSecond) {
        DataSource database = permitsDatabase();
        try (Connection c = database.getConnection(); PreparedStatement create = c.prepareStatement(CREATE)) {
            for (int slot = 0; slot < perSecond; slot++) {
                create.setString(1, provider);
                create.setInt(2, slot);
                create.addBatch();
            }
            create.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the shared rate limit of " + provider, e);
        }
        return new SharedLimit(provider, perSecond, database);
    }

    private final class SharedLimit implements ProviderGuards.RateLimit {
        private final String provider;
        private final int permits;
        private final DataSource database;
        private final Semaphore line = new Semaphore(ASKING, true);

        SharedLimit(String provider, int permits, DataSource database) {
            this.provider = provider;
            this.permits = permits;
            this.database = database;
        }

        @Override
        public Runnable acquire(long maxWaitMs) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
            if (!line.tryAcquire(maxWaitMs, TimeUnit.MILLISECONDS)) {
                return null;
            }
            try {
                while (true) {
                    Integer slot = take();
                    if (slot != null) {
                        return () -> giveBack(slot);
                    }
                    long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (leftMs <= 0) {
                        return null;
                    }
                    // a permit given back now is busy for one more second, so none is free before the earliest
                    // known moment or a second from now, whichever comes first
                    long waitMs = Math.min(Math.min(nextFreeInMs(), 1000), leftMs);
                    if (waitMs > 0) {
                        TimeUnit.MILLISECONDS.sleep(waitMs);
                    }
                }
            } catch (SQLException e) {
                LOG.warn("{} rate limit: the shared permits could not be read ({}); the call is refused", provider,
                        e.getSQLState());
                return null;
            } finally {
                line.release();
            }
        }

        private Integer take() throws SQLException {
            try (Connection c = database.getConnection(); PreparedStatement take = c.prepareStatement(TAKE)) {
                take.setDouble(1, lease.toMillis() / 1000.0);
                take.setString(2, provider);
                take.setString(3, provider);
                take.setInt(4, permits);
                try (ResultSet rs = take.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : null;
                }
            }
        }

        private long nextFreeInMs() throws SQLException {
            try (Connection c = database.getConnection(); PreparedStatement next = c.prepareStatement(NEXT_FREE)) {
                next.setString(1, provider);
                next.setInt(2, permits);
                try (ResultSet rs = next.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0;
                }
            }
        }

        private void giveBack(int slot) {
            try (Connection c = database.getConnection(); PreparedStatement giveBack = c.prepareStatement(RETURN)) {
                giveBack.setString(1, provider);
                giveBack.setInt(2, slot);
                giveBack.executeUpdate();
            } catch (SQLException e) {
                // the lease frees it later
                LOG.warn("{} rate limit: a permit could not be given back ({}); it is free again within {} s", provider,
                        e.getSQLState(), lease.toSeconds());
            }
        }
    }
}
