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
import java.time.OffsetDateTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Provider rate limits shared by every hub instance of one PostgreSQL database: a provider's limit belongs to the
 * partner account, not to a process. The same rule as the per-instance limit, held in the database: N permits per
 * provider (rows of {@code provider_call_permit}); a call takes a free one before it is sent, and when the call has
 * ended (answer or failure) its permit stays busy one more second. A permit is taken before the provider receives the
 * call and comes back a second after that, so no one-second window at the provider, wherever it starts, holds more
 * than N calls, however slowly a request travels or a hub is scheduled. Every time is the database's clock (moved on by
 * the hub's elapsed time, never backwards), so the hosts' clocks do not matter.
 *
 * <p>Why not a token bucket (Bucket4j's PostgreSQL bucket was measured here): a bucket paces the <em>turns</em>; a
 * call that reaches the provider later than its turn (a JVM pause, a starved CPU) lands next to the following ones,
 * and on a loaded machine two instances put 41 calls in a one-second window of a 40/s limit. A bucket used as a
 * semaphore (tokens given back after the call) never gets back the permits of an instance that died holding them.
 * Here a taken permit is a lease: it is free again after {@code lease} even if its instance never says the call ended.
 *
 * <p>What keeps the limit used (every moment between a permit being free and its next call reaching the provider,
 * and between a call's end and its second being over, is lost):
 * <ul>
 * <li>within an instance, one call at a time asks the database for a provider's permits, taking as many as calls of
 * its instance are waiting without one (permits come back in bursts: N calls let through at once come back
 * together), and hands each of the others to one waiting call; when it has its own, the next waiting call asks;</li>
 * <li>a permit free within {@value #LOOK_AHEAD_MS} ms may be taken: its call waits for that moment in the hub (timed
 * from the database's answer, so never early) and is sent then, not a round trip later; when none is near, the asking
 * call sleeps until one is, instead of polling;</li>
 * <li>a call's permit is busy until one second after the call ended on the database's clock, reckoned from the
 * clock of the statement that took it plus the hub's elapsed time, so it is fixed when the call ends; one thread
 * writes the permits given back, in batches, and the call goes on at once.</li>
 * </ul>
 */
public final class ClusterRateLimits implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRateLimits.class);
    /** Permits the asking call takes at most in one statement, for the calls of its instance waiting for one. */
    private static final int MAX_AT_ONCE = 32;
    /**
     * How long before a permit is free it may be taken: the call then waits in the hub, and is sent the moment the
     * permit is free instead of a database round trip later.
     */
    private static final long LOOK_AHEAD_MS = 200;

    /**
     * Takes up to so many permits free now or within {@value #LOOK_AHEAD_MS} ms, the earliest first, each with the
     * milliseconds until it is free; SKIP LOCKED lets instances taking permits at the same moment take different ones.
     */
    private static final String TAKE = """
            WITH free AS (SELECT slot, busy_until AS free_at FROM provider_call_permit
                WHERE provider = ? AND slot < ? AND busy_until <= clock_timestamp() + make_interval(secs => ?)
                ORDER BY busy_until LIMIT ? FOR UPDATE SKIP LOCKED)
            UPDATE provider_call_permit p SET busy_until = GREATEST(free.free_at, clock_timestamp()) + make_interval(secs => ?)
            FROM free WHERE p.provider = ? AND p.slot = free.slot
            RETURNING p.slot, p.busy_until, CEIL(EXTRACT(EPOCH FROM free.free_at - clock_timestamp()) * 1000),
                clock_timestamp()""";
    /** Milliseconds until the earliest busy permit is free (0 or less: one is free now). */
    private static final String NEXT_FREE = """
            SELECT CEIL(EXTRACT(EPOCH FROM MIN(busy_until) - clock_timestamp()) * 1000)
            FROM provider_call_permit WHERE provider = ? AND slot < ?""";
    /** The call has ended: its permit is busy until then (unless its lease ran out and another took it). */
    private static final String RETURN = """
            UPDATE provider_call_permit SET busy_until = ? WHERE provider = ? AND slot = ? AND busy_until = ?""";
    private static final String CREATE = """
            INSERT INTO provider_call_permit (provider, slot, busy_until) VALUES (?, ?, clock_timestamp())
            ON CONFLICT DO NOTHING""";

    /** Mail telling a waiting call that it asks the database now. */
    private static final Object YOUR_TURN = new Object();

    /** Connections of the permits' own pool: a permit is taken and given back without waiting behind the store. */
    private static final int CONNECTIONS = 8;

    private final HikariDataSource hubDatabase;
    private final Duration lease;
    private HikariDataSource permitsDatabase;
    private final BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
    /** The thread writing the permits given back (named rate-limit-returns), started with the first limit. */
    private final ExecutorService returnsThread;
    /** Whether {@link #returnsThread} is this instance's own, shut down by {@link #close}. */
    private final boolean ownThread;
    private Future<?> returnsWriter;

    /**
     * {@code hubDatabase}: the hub's PostgreSQL database, where Flyway created {@code provider_call_permit};
     * {@code lease}: longer than any call can last (the HTTP timeouts), after which a permit whose instance never gave
     * it back is free again; {@code returnsThread}: a single thread (the hub's comes from Camel, which stops it with
     * the context).
     */
    public ClusterRateLimits(HikariDataSource hubDatabase, Duration lease, ExecutorService returnsThread) {
        this(hubDatabase, lease, returnsThread, false);
    }

    /** As above, on a thread of its own, stopped by {@link #close}. */
    public ClusterRateLimits(HikariDataSource hubDatabase, Duration lease) {
        this(hubDatabase, lease, Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rate-limit-returns");
            thread.setDaemon(true);
            return thread;
        }), true);
    }

    private ClusterRateLimits(HikariDataSource hubDatabase, Duration lease, ExecutorService returnsThread, boolean ownThread) {
        this.hubDatabase = hubDatabase;
        this.lease = lease;
        this.returnsThread = returnsThread;
        this.ownThread = ownThread;
    }

    /** The same database through a small pool of its own, opened by the first limit. */
    private synchronized DataSource permitsDatabase() {
        if (permitsDatabase == null) {
            HikariConfig config = new HikariConfig();
            hubDatabase.copyStateTo(config);
            config.setPoolName("provider-call-permits");
            // all open from the start: a burst of calls ending together must not wait for connections to be opened
            config.setMaximumPoolSize(CONNECTIONS);
            config.setMinimumIdle(CONNECTIONS);
            permitsDatabase = new HikariDataSource(config);
            returnsWriter = returnsThread.submit(this::writeReturns);
        }
        return permitsDatabase;
    }

    /** Closes the permits' pool; permits still taken are given back by their lease. */
    @Override
    public synchronized void close() {
        if (permitsDatabase != null) {
            // what is waiting is still written, then the writer ends
            returns.add(STOP);
            try {
                returnsWriter.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | CancellationException e) {
                LOG.warn("the permits given back were not all written: {}", e.toString());
            }
            permitsDatabase.close();
        }
        if (ownThread) {
            returnsThread.shutdownNow();
        }
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

    /**
     * A taken permit: its slot, the end of its lease (which tells it from a later taker's lease of the slot), when
     * (System.nanoTime) it is free for this call: the time the database gave, counted from after its answer, so never
     * earlier than the database's moment; and a moment of the database's clock during the statement that took it
     * ({@code takenAt}), which came after {@code takenAtNanos}.
     */
    private record Permit(int slot, OffsetDateTime leaseEnd, long takenAtNanos, long freeAtNanos, OffsetDateTime takenAt) {
        /**
         * One second after now, on the database's clock, reckoned from {@code takenAt} and this JVM's elapsed time: not
         * before the truth (the statement ran after {@code takenAtNanos}), and not later for a slow statement giving it
         * back.
         */
        OffsetDateTime oneSecondAfterNow() {
            return takenAt.plusNanos(System.nanoTime() - takenAtNanos + TimeUnit.SECONDS.toNanos(1));
        }

        /** Waits until the permit is free, then tells what to run once the call has ended. */
        Runnable awaitFree(SharedLimit limit) throws InterruptedException {
            long waitNanos = freeAtNanos - System.nanoTime();
            if (waitNanos > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(waitNanos);
                } catch (InterruptedException e) {
                    limit.giveBack(this);
                    throw e;
                }
            }
            return () -> limit.giveBack(this);
        }
    }

    private final class SharedLimit implements ProviderGuards.RateLimit {
        private final String provider;
        private final int permits;
        private final DataSource database;
        /** Calls of this instance waiting for a permit (the asking one included). */
        private final AtomicInteger waiting = new AtomicInteger();
        /** Whether a call of this instance is asking the database (one at a time: it asks for all of them). */
        private final AtomicBoolean asking = new AtomicBoolean();
        /**
         * Permits the asking call took for the others, and {@link #YOUR_TURN} when it stopped asking while calls were
         * left without one: each wakes exactly one waiting call.
         */
        private final BlockingQueue<Object> mailbox = new LinkedBlockingQueue<>();

        SharedLimit(String provider, int permits, DataSource database) {
            this.provider = provider;
            this.permits = permits;
            this.database = database;
        }

        @Override
        public Runnable acquire(long maxWaitMs) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
            Permit permit;
            waiting.incrementAndGet();
            try {
                permit = obtain(deadline);
            } finally {
                if (waiting.decrementAndGet() == 0) {
                    // taken for calls that gave up meanwhile: back to the other instances
                    for (Object unused = mailbox.poll(); unused != null; unused = mailbox.poll()) {
                        if (unused instanceof Permit p) {
                            giveBack(p);
                        }
                    }
                }
            }
            return permit == null ? null : permit.awaitFree(this);
        }

        /** A permit for this call (free now or soon), or null when none came before the deadline. */
        private Permit obtain(long deadline) throws InterruptedException {
            while (true) {
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0) {
                    return null;
                }
                if (!asking.compareAndSet(false, true)) {
                    // another call of this instance is asking, for this one too
                    Object mail = mailbox.poll(leftNanos, TimeUnit.NANOSECONDS);
                    if (mail instanceof Permit permit && fresh(permit)) {
                        return permit;
                    }
                    continue;
                }
                List<Permit> taken;
                try {
                    // permits freed together (they come back in bursts) are taken together, one per waiting call
                    taken = take(Math.min(Math.max(1, waiting.get() - mailbox.size()), MAX_AT_ONCE));
                    if (taken.isEmpty()) {
                        // a permit given back now is busy for one more second, so none is free before the earliest
                        // known moment or a second from now, whichever comes first; ask again once it is near (at
                        // least a millisecond later: a permit near but locked by another's statement is taken by it)
                        TimeUnit.MILLISECONDS.sleep(Math.min(Math.max(1, Math.min(nextFreeInMs(), 1000) - LOOK_AHEAD_MS / 2),
                                TimeUnit.NANOSECONDS.toMillis(leftNanos)));
                    }
                } catch (SQLException e) {
                    LOG.warn("{} rate limit: the shared permits could not be read ({}); the call is refused", provider,
                            e.getSQLState());
                    taken = List.of();
                    leftNanos = 0;
                } finally {
                    asking.set(false);
                }
                if (!taken.isEmpty() || leftNanos == 0) {
                    // this call stops asking: the others get the permits taken for them, and the first of those left
                    // without one asks next
                    mailbox.addAll(taken.subList(Math.min(1, taken.size()), taken.size()));
                    if (waiting.get() - 1 > mailbox.size() && !mailbox.contains(YOUR_TURN)) {
                        mailbox.add(YOUR_TURN);
                    }
                    return taken.isEmpty() ? null : taken.get(0);
                }
            }
        }

        /** Far from the end of its lease (else given back, and not used: the slot may soon be another's). */
        private boolean fresh(Permit permit) {
            if (System.nanoTime() - permit.takenAtNanos() < lease.toNanos() / 2) {
                return true;
            }
            giveBack(permit);
            return false;
        }

        private List<Permit> take(int count) throws SQLException {
            try (Connection c = database.getConnection(); PreparedStatement take = c.prepareStatement(TAKE)) {
                take.setString(1, provider);
                take.setInt(2, permits);
                take.setDouble(3, LOOK_AHEAD_MS / 1000.0);
                take.setInt(4, count);
                take.setDouble(5, lease.toMillis() / 1000.0);
                take.setString(6, provider);
                List<Permit> taken = new ArrayList<>();
                // from here, not before the connection was had: the statement's clock_timestamp() comes after it
                long askedAt = System.nanoTime();
                try (ResultSet rs = take.executeQuery()) {
                    long answeredAt = System.nanoTime();
                    while (rs.next()) {
                        taken.add(new Permit(rs.getInt(1), rs.getObject(2, OffsetDateTime.class), askedAt,
                                answeredAt + TimeUnit.MILLISECONDS.toNanos(Math.max(0, rs.getLong(3))),
                                rs.getObject(4, OffsetDateTime.class)));
                    }
                }
                // the earliest free first: the call that asked keeps that one
                taken.sort(Comparator.comparingLong(Permit::freeAtNanos));
                return taken;
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

        /** Busy until one second from now: written by the returns thread, the call goes on at once. */
        void giveBack(Permit permit) {
            returns.add(new Return(provider, permit.slot(), permit.oneSecondAfterNow(), permit.leaseEnd()));
        }
    }

    /** A permit to give back: busy until {@code busyUntil}, unless its lease ended and another took it. */
    /** Tells the writer of the permits given back to end (once what is waiting is written). */
    private static final Return STOP = new Return("", -1, null, null);

    private record Return(String provider, int slot, OffsetDateTime busyUntil, OffsetDateTime leaseEnd) {
    }

    /**
     * Writes the permits given back, as many as are waiting in one batch. The time each is busy until was fixed when
     * its call ended, so writing it a little later changes nothing but when other instances can see it.
     */
    private void writeReturns() {
        List<Return> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(returns.take());
            } catch (InterruptedException e) {
                // the hub stops: what is waiting is still written
                stopping = true;
            }
            returns.drainTo(batch);
            stopping |= batch.remove(STOP);
            write(batch);
            batch.clear();
        }
    }

    private void write(List<Return> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try (Connection c = permitsDatabase.getConnection(); PreparedStatement giveBack = c.prepareStatement(RETURN)) {
            for (Return r : batch) {
                giveBack.setObject(1, r.busyUntil());
                giveBack.setString(2, r.provider());
                giveBack.setInt(3, r.slot());
                giveBack.setObject(4, r.leaseEnd());
                giveBack.addBatch();
            }
            giveBack.executeBatch();
        } catch (SQLException e) {
            // their leases free them later
            LOG.warn("rate limits: {} permits could not be given back ({}); they are free again within {} s", batch.size(),
                    e.getSQLState(), lease.toSeconds());
        }
    }
}
