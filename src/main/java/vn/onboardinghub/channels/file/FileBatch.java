package vn.onboardinghub.channels.file;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.model.OnboardingResult;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One dropped file while it is processed: its record stream, its results file, its worklist ({@code actions.csv})
 * and its running summary. At most
 * {@code concurrency} records are between "read" and "result written" at any time, which bounds both the
 * parallelism and the memory a batch uses, however large the file.
 */
final class FileBatch implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(FileBatch.class);

    final String batchId;
    final Path source;
    final BatchFormat format;
    final long total;
    final Instant startedAt = Instant.now();

    private final BatchRecords reader;
    private final ResultsWriter results;
    private final ActionsWriter actions;
    private final BatchSummary summary = new BatchSummary();
    private final Semaphore inFlight;
    private final AtomicLong written = new AtomicLong();
    private final long progressIntervalMs;
    private final LongConsumer progressSink;
    private final AtomicLong lastProgressAt = new AtomicLong(System.currentTimeMillis());
    private final int concurrency;
    private volatile boolean closed;
    private volatile long lastActivityAt = System.currentTimeMillis();
    /** Why the batch stopped taking records, to resume later (an outage), or null while it goes on. */
    private volatile String interruptedBy;
    /** Given up as stalled: its file is left to a new run (here or in another instance); this run writes nothing more. */
    private volatile boolean abandoned;

    FileBatch(String batchId, Path source, BatchFormat format, long total, BatchRecords reader, ResultsWriter results,
              ActionsWriter actions, int concurrency, Duration progressInterval, LongConsumer progressSink) {
        this.batchId = batchId;
        this.source = source;
        this.format = format;
        this.total = total;
        this.reader = reader;
        this.results = results;
        this.actions = actions;
        this.inFlight = new Semaphore(concurrency);
        this.concurrency = concurrency;
        this.progressIntervalMs = progressInterval.toMillis();
        this.progressSink = progressSink;
    }

    String name() {
        return source.getFileName().toString();
    }

    /**
     * The records for the split: taking one waits until fewer than {@code concurrency} are in flight. Whatever reading
     * throws — an {@code OutOfMemoryError} included — comes out as an exception that fails the batch, never as an
     * error that would end the split's thread and leave the batch running forever.
     */
    Iterator<Object> records() {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return !closed && interruptedBy == null && !abandoned && reader.hasNext();
                } catch (Throwable e) {
                    throw BatchStoppedException.of(e);
                }
            }

            @Override
            public Object next() {
                inFlight.acquireUninterruptibly();
                if (closed) {
                    inFlight.release();
                    throw new NoSuchElementException("batch " + name() + " was stopped");
                }
                if (interruptedBy != null || abandoned) {
                    // stopped while waiting for a slot: this record is left for the resumed batch (its slot is
                    // given back when the split has passed it, see recordSkipped)
                    return SkippedRecord.INSTANCE;
                }
                try {
                    return reader.next();
                } catch (Throwable e) {
                    inFlight.release();
                    throw BatchStoppedException.of(e);
                }
            }
        };
    }

    /**
     * The hub's infrastructure is unavailable (the database past {@code hub.outage.max-wait-seconds}, the outbox):
     * no more records are taken; those in flight finish, and the batch is left to resume.
     */
    void interrupt(String reason) {
        if (interruptedBy == null) {
            interruptedBy = reason;
        }
        // wakes the split's thread if it waits for a slot: it then sees the batch takes no more records
        inFlight.release(concurrency);
    }

    String interruptedBy() {
        return interruptedBy;
    }

    /** Given up as stalled: no more records are taken, and whatever its stuck records do later is not written. */
    void abandon() {
        abandoned = true;
        inFlight.release(concurrency);
    }

    boolean abandoned() {
        return abandoned;
    }

    /** Records not finished yet. */
    long remaining() {
        return total - written.get();
    }

    /** Counts as activity: e.g. the hub waited for its database, which is not the batch being stuck. */
    void touch() {
        lastActivityAt = System.currentTimeMillis();
    }

    /** A record that got no result line this run (the batch was interrupted, or skipped it): its slot is free again. */
    void recordSkipped() {
        inFlight.release();
    }

    /** How long since a record last finished (or since the batch started). */
    Duration idle() {
        return Duration.ofMillis(System.currentTimeMillis() - lastActivityAt);
    }

    /**
     * Record {@code line} is done: its result line (and its worklist row, when it waits for {@code merchant}) is
     * written and counted, and the next record may be read.
     */
    void recordDone(long line, OnboardingResult result, ActionsWriter.Merchant merchant) throws IOException {
        if (abandoned) {
            // a record of a run given up as stalled: a new run writes the results file
            inFlight.release();
            return;
        }
        try {
            results.write(line, result);
            actions.write(line, merchant, result);
            summary.add(line, result);
        } finally {
            inFlight.release();
        }
        lastActivityAt = System.currentTimeMillis();
        long done = written.incrementAndGet();
        long now = System.currentTimeMillis();
        long last = lastProgressAt.get();
        // one progress line (and stored count) per interval, from whichever record thread crosses it first
        if ((now - last >= progressIntervalMs && lastProgressAt.compareAndSet(last, now)) || done == total) {
            progress(done);
        }
    }

    private void progress(long done) {
        double seconds = Math.max(0.001, Duration.between(startedAt, Instant.now()).toMillis() / 1000.0);
        double rate = done / seconds;
        // a line about the whole batch, logged from the thread of whichever record crossed the interval
        MDC.remove(Onboardings.ID);
        LOG.info("file {}: {}/{} records ({}%), {} records/s, about {} s to go", DroppedFile.printable(name()), done, total,
                total == 0 ? 100 : done * 100 / total, Math.round(rate), Math.round((total - done) / Math.max(rate, 0.001)));
        progressSink.accept(done);
    }

    long written() {
        return written.get();
    }

    BatchSummary summary() {
        return summary;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try (ActionsWriter a = actions; ResultsWriter r = results) {
            reader.close();
        }
    }
}
