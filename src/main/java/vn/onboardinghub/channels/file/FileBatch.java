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
 * One dropped file while it is processed: its record stream, its results file and its running summary. At most
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
    private final BatchSummary summary = new BatchSummary();
    private final Semaphore inFlight;
    private final AtomicLong written = new AtomicLong();
    private final long progressIntervalMs;
    private final LongConsumer progressSink;
    private final AtomicLong lastProgressAt = new AtomicLong(System.currentTimeMillis());
    private volatile boolean closed;
    private volatile long lastActivityAt = System.currentTimeMillis();

    FileBatch(String batchId, Path source, BatchFormat format, long total, BatchRecords reader, ResultsWriter results,
              int concurrency, Duration progressInterval, LongConsumer progressSink) {
        this.batchId = batchId;
        this.source = source;
        this.format = format;
        this.total = total;
        this.reader = reader;
        this.results = results;
        this.inFlight = new Semaphore(concurrency);
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
                    return !closed && reader.hasNext();
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
                try {
                    return reader.next();
                } catch (Throwable e) {
                    inFlight.release();
                    throw BatchStoppedException.of(e);
                }
            }
        };
    }

    /** How long since a record last finished (or since the batch started). */
    Duration idle() {
        return Duration.ofMillis(System.currentTimeMillis() - lastActivityAt);
    }

    /** Record {@code line} is done: its result line is written and counted, and the next record may be read. */
    void recordDone(long line, OnboardingResult result) throws IOException {
        try {
            results.write(line, result);
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
        try {
            reader.close();
        } finally {
            results.close();
        }
    }
}
