package vn.onboardinghub.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Group commit: the writes of concurrent onboardings, each a unit of work, are run by one writer thread in one
 * transaction and made durable by one commit, and each caller returns only once its unit is committed. The embedded H2
 * database writes a new file chunk for every commit, one at a time; one commit for many onboardings instead of one
 * each is what lets the store keep up with the providers. Each unit runs inside its own savepoint, so one that fails
 * (a unique key already taken, say) is undone alone and its caller gets its exception; the others still commit.
 */
final class GroupCommit implements AutoCloseable {
    /** One unit of work on the writer's connection; it must not commit or roll back. */
    interface Unit<T> {
        T run(Connection connection) throws SQLException;
    }

    private record Pending(Unit<?> unit, CompletableFuture<Object> done) {
    }

    private static final Pending STOP = new Pending(c -> null, null);
    /** The writer thread's name. */
    static final String WRITER_THREAD = "hub-db-writer";

    private final DataSource dataSource;
    private final int maxUnits;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** The writer's thread (named hub-db-writer): the hub's comes from Camel, which stops it with the context. */
    private final ExecutorService writerThread;
    /** Whether {@link #writerThread} is this instance's own, shut down by {@link #close}. */
    private final boolean ownThread;
    private final Future<?> writer;
    private boolean closed;

    /** The writer on {@code writerThread}, a single thread it keeps until {@link #close}. */
    GroupCommit(DataSource dataSource, int maxUnits, ExecutorService writerThread) {
        this(dataSource, maxUnits, writerThread, false);
    }

    /** The writer on a thread of its own, stopped by {@link #close}. */
    GroupCommit(DataSource dataSource, int maxUnits) {
        this(dataSource, maxUnits, Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, WRITER_THREAD);
            thread.setDaemon(true);
            return thread;
        }), true);
    }

    private GroupCommit(DataSource dataSource, int maxUnits, ExecutorService writerThread, boolean ownThread) {
        this.dataSource = dataSource;
        this.maxUnits = maxUnits;
        this.writerThread = writerThread;
        this.ownThread = ownThread;
        this.writer = writerThread.submit(this::write);
    }

    /** Runs the unit in the next transaction and returns its result once that transaction is committed. */
    @SuppressWarnings("unchecked")
    <T> T run(Unit<T> unit) throws SQLException {
        CompletableFuture<Object> done = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                throw new SQLException("the result store is closed");
            }
            queue.add(new Pending(unit, done));
        }
        try {
            return (T) done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the commit", e);
        }
    }

    private void write() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            // whatever else is waiting now joins this transaction
            queue.drainTo(batch, maxUnits - 1);
            boolean stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                commit(batch);
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private void commit(List<Pending> batch) {
        List<Object> results = new ArrayList<>(batch.size());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Pending p : batch) {
                    Savepoint savepoint = c.setSavepoint();
                    try {
                        results.add(p.unit().run(c));
                        c.releaseSavepoint(savepoint);
                    } catch (SQLException | RuntimeException e) {
                        try {
                            c.rollback(savepoint);
                        } catch (SQLException rollback) {
                            // the connection broke: its callers get what broke it, not "connection is closed"
                            e.addSuppressed(rollback);
                            throw e;
                        }
                        results.add(new Failed(e));
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException broken) {
                    // a broken connection is evicted by the pool; what happened is what the transaction says
                }
            }
        } catch (SQLException | RuntimeException e) {
            // not committed: every caller of this batch gets the failure
            batch.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Object result = results.get(i);
            if (result instanceof Failed failed) {
                batch.get(i).done().completeExceptionally(failed.cause());
            } else {
                batch.get(i).done().complete(result);
            }
        }
    }

    private record Failed(Exception cause) {
    }

    /** Commits what is queued, then stops the writer; later units are refused. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        try {
            writer.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            // the writer ended otherwise (or is stuck): the units it did not commit were failed or are lost with it
        } finally {
            if (ownThread) {
                writerThread.shutdownNow();
            }
        }
    }
}
