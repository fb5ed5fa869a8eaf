package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.model.Violation;
import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.RequestError;
import vn.onboardinghub.model.VietnamesePhone;
import vn.onboardinghub.store.BatchStore;
import vn.onboardinghub.store.EventOutbox;
import vn.onboardinghub.store.InfrastructureUnavailableException;
import vn.onboardinghub.store.OutageWait;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The steps of {@code routes/intake-file.camel.yaml}: check a dropped file as a whole, stream its records to the
 * core, write one result line per record (and a worklist row per record that waits for the merchant), then the
 * summary, then keep the input (secrets masked) in {@code .done/} — or in {@code .error/} with the reason when the
 * file cannot be processed. Knows no provider.
 */
public class FileBatches {
    static final String BATCH = "fileBatch";
    /** The batch id, on the file's exchange and so on each record's: stored with each record's onboarding. */
    static final String BATCH_ID = Onboardings.BATCH_ID;
    /** The record's request JSON as read from the file, for its worklist row (the body becomes its result). */
    static final String RECORD = "fileRecord";
    static final String DONE_DIR = ".done";
    static final String ERROR_DIR = ".error";
    /** A record whose processing crashed (not a validation or provider failure, which are results already). */
    static final String RECORD_FAILED = "RECORD_FAILED";
    private static final Logger LOG = LoggerFactory.getLogger(FileBatches.class);

    private final ObjectMapper mapper;
    private final SecretMasking masking;
    /** The secret fields of the requests a file holds, masked in its kept copy and taken unchanged from CSV cells. */
    private final SecretFields secrets;
    private final BatchLimits limits;
    private final InboxFilter inboxFilter;
    private final BatchStore batches;
    /** The queued later changes of batch records (the lines of their updates files). */
    private final EventOutbox events;
    /** Later changes a batch's details show at most. */
    private static final int UPDATES_SHOWN = 100;
    private final Path outbox;
    private final int concurrency;
    private final boolean includeCredentials;
    private final Duration progressInterval;
    private final OutageWait outages;
    private final InboxRelease inboxRelease;
    /** The batches this instance is processing now, by batch id: their live progress. */
    private final Map<String, FileBatch> running = new ConcurrentHashMap<>();
    /** Told of each record whose result was written (the hub's metrics). */
    private volatile Consumer<OnboardingResult> recordWritten = result -> { };

    FileBatches(ObjectMapper mapper, BatchStore batches, EventOutbox events, Path outbox, int concurrency, boolean includeCredentials,
                Duration progressInterval, BatchLimits limits, InboxFilter inboxFilter, OutageWait outages,
                InboxRelease inboxRelease, SecretFields secrets) {
        this.events = events;
        this.outages = outages;
        this.inboxRelease = inboxRelease;
        this.mapper = mapper;
        this.limits = limits;
        this.inboxFilter = inboxFilter;
        this.secrets = secrets;
        this.masking = new SecretMasking(mapper, limits, secrets);
        this.batches = batches;
        this.outbox = outbox;
        this.concurrency = concurrency;
        this.includeCredentials = includeCredentials;
        this.progressInterval = progressInterval;
    }

    /** Where each record whose result was written is counted. */
    public void countRecordsWith(Consumer<OnboardingResult> written) {
        this.recordWritten = written;
    }

    /** {@code <outbox>/<name>.results.ndjson}, where name is the dropped file's name without its extension. */
    Path resultsFile(String name) {
        return outbox.resolve(stem(name) + ".results.ndjson");
    }

    /** {@code merchants.csv} → {@code merchants}: the {@code <name>} of docs/contract.md "File drop"'s output files. */
    static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** {@code <outbox>/<name>.actions.csv}: the batch's worklist, the records that wait for the merchant. */
    Path actionsFile(String name) {
        return outbox.resolve(stem(name) + ".actions.csv");
    }

    Path summaryFile(String name) {
        return outbox.resolve(stem(name) + ".summary.json");
    }

    /**
     * Records the batch (or finds it RUNNING: the hub stopped in its middle, and it resumes), then reads the whole
     * file once (UTF-8, CSV header) before any record is onboarded: a file that cannot be processed at all is refused
     * here, not half-way. Then opens its record stream and results file (rewritten from the start on a resume: the
     * records onboarded before are found by their requestIds, and no provider is called for them again).
     */
    public void open(Exchange exchange) throws IOException {
        try {
            start(exchange);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw BatchStoppedException.of(e);
        }
    }

    private void start(Exchange exchange) throws IOException {
        Path source = source(exchange);
        String name = source.getFileName().toString();
        String contentSha256 = sha256(source);
        // the batch's own records need the database too: the file waits for it here, taken, not rejected
        BatchStore.Started started = outages.until("batch of file " + DroppedFile.printable(name),
                () -> batches.begin(name, contentSha256));
        exchange.setProperty(BATCH_ID, started.batchId());
        // a resumed batch takes over at once the records its stopped run left PENDING
        exchange.setProperty(Onboardings.REDELIVERED, started.resumed());
        BatchFormat format = BatchFormat.of(name);
        long records = BatchRecords.count(source, format, mapper, limits, secrets);
        outages.untilDone("batch of file " + DroppedFile.printable(name), () -> batches.counted(started.batchId(), records));
        PrivateFiles.folder(outbox);
        BatchRecords reader = BatchRecords.open(source, format, mapper, limits, secrets);
        ResultsWriter results = null;
        ActionsWriter actions;
        try {
            results = new ResultsWriter(resultsFile(name), mapper, includeCredentials);
            actions = new ActionsWriter(actionsFile(name));
        } catch (IOException | RuntimeException e) {
            if (results != null) {
                results.close();
            }
            reader.close();
            throw e;
        }
        FileBatch batch = new FileBatch(started.batchId(), source, format, records, reader, results, actions, concurrency,
                progressInterval, processed -> progress(started.batchId(), processed));
        exchange.setProperty(BATCH, batch);
        running.put(started.batchId(), batch);
        LOG.info("file {}: {} records, {} at a time{}", DroppedFile.printable(name), records, concurrency,
                started.resumed() ? "; resuming batch " + started.batchId() + " that was interrupted" : "");
    }

    /** The stored count is for {@code GET /api/v1/batches} only: a database outage does not hold the batch up for it. */
    private void progress(String batchId, long processed) {
        try {
            batches.progress(batchId, processed);
        } catch (RuntimeException e) {
            if (!InfrastructureUnavailableException.isOutage(e)) {
                throw e;
            }
            LOG.debug("batch {}: progress not stored, the database is unavailable", batchId);
        }
    }

    /** Each record's requestId, unless it has its own: the batch and the record's line, the same on a resume. */
    public void prepareRecord(Exchange exchange) {
        exchange.setProperty(Onboardings.DEFAULT_REQUEST_ID, "batch-" + batch(exchange).batchId + "-" + line(exchange));
        exchange.setProperty(Onboardings.BATCH_LINE, line(exchange));
        if (exchange.getMessage().getBody() instanceof String record) {
            exchange.setProperty(RECORD, record);
        }
    }

    /**
     * The name and phone the record gave (the phone in its national {@code 0…} form), for its worklist row; read from
     * the record itself, since a record onboarded before (a resumed batch) is not validated again.
     */
    private ActionsWriter.Merchant merchant(Exchange exchange, OnboardingResult result) {
        String record = exchange.getProperty(RECORD, String.class);
        if (!result.waitsForMerchant() || record == null) {
            return null;
        }
        try {
            JsonNode merchant = mapper.readTree(record).path("merchant");
            String phone = merchant.path("phone").isTextual() ? merchant.path("phone").textValue() : null;
            return new ActionsWriter.Merchant(merchant.path("name").isTextual() ? merchant.path("name").textValue() : null,
                    VietnamesePhone.national(phone).orElse(phone));
        } catch (IOException unreadable) {
            // cannot happen: its onboarding started, so the record was a valid request; the row keeps the rest
            return null;
        }
    }

    /** {@code GET /api/v1/batches}: the latest batches, with the live count of those running here. */
    public List<BatchStore.Batch> list() {
        return batches.recent(100).stream().map(this::live).toList();
    }

    /**
     * {@code GET /api/v1/batches/{batchId}} (header {@code batchId}): the batch with its onboardings counted by status
     * and those waiting for the merchant; unknown answers 404.
     */
    public BatchStore.Details details(Exchange exchange) throws IOException {
        String batchId = exchange.getMessage().getHeader("batchId", String.class);
        BatchStore.Details details = batches.details(batchId, this::live);
        List<JsonNode> updates = new java.util.ArrayList<>();
        for (String line : events.ofBatch(batchId, UPDATES_SHOWN)) {
            updates.add(mapper.readTree(line));
        }
        return details.withUpdates(updates);
    }

    private BatchStore.Batch live(BatchStore.Batch stored) {
        FileBatch live = running.get(stored.batchId());
        return live == null ? stored : stored.withProcessed(live.written());
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = DroppedFile.open(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The split's expression: the file's records as request JSON, read as the split asks for them. */
    public Iterator<Object> records(Exchange exchange) {
        return batch(exchange).records();
    }

    /** A record whose processing threw: it still gets its result line, FAILED with the reason. */
    public OnboardingResult failedRecord(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("file {}: record {} failed", DroppedFile.printable(batch(exchange).name()), line(exchange), e);
        // plain words only: an exception message could quote the record, secrets included
        return OnboardingResult.rejected(null, null, new RequestError(RECORD_FAILED, "the hub could not process this"
                + " record (" + BatchStoppedException.plainWords(e) + "); see the hub log", null));
    }

    /**
     * A record that waited for the database longer than {@code hub.outage.max-wait-seconds}: not the record's failure.
     * It gets no result line in this run, and the batch takes no more records: once those in flight are done, it is
     * left RUNNING with its file in the inbox, and resumes (this record included) when the inbox is taken again.
     */
    public void interruptRecord(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        FileBatch batch = batch(exchange);
        String what = e instanceof InfrastructureUnavailableException u ? u.what() : "the database";
        LOG.warn("file {}: record {} waited for {} for too long; the batch takes no more records and resumes later",
                DroppedFile.printable(batch.name()), line(exchange), what);
        batch.interrupt(what + " is unavailable");
        exchange.getMessage().setBody(null);
    }

    /** A record that could not be read as a request (too long, a NUL, a wrong number of values): it fails alone. */
    public OnboardingResult refusedRecord(Exchange exchange) {
        RecordProblem problem = exchange.getMessage().getBody(RecordProblem.class);
        return OnboardingResult.rejected(null, null, new RequestError(ErrorCode.INVALID_REQUEST.name(),
                problem.problem(), List.of(new Violation("$", problem.problem()))));
    }

    /** Appends the record's result line (the split index is the record's position in the file) and counts it. */
    public void writeResult(Exchange exchange) throws IOException {
        FileBatch batch = batch(exchange);
        if (exchange.getMessage().getBody() instanceof SkippedRecord) {
            batch.recordSkipped();
            exchange.getMessage().setBody(null);
            return;
        }
        OnboardingResult result = exchange.getMessage().getBody(OnboardingResult.class);
        if (result == null && batch.interruptedBy() != null) {
            batch.recordSkipped();
            return;
        }
        if (result == null) {
            throw new IllegalStateException("record " + line(exchange) + " has no result");
        }
        try {
            batch.recordDone(line(exchange), result, merchant(exchange, result));
            recordWritten.accept(result);
        } catch (IOException e) {
            // e.g. the outbox's disk is full: the results file is written again from the start when the batch resumes
            LOG.warn("file {}: the result of record {} cannot be written ({}); the batch takes no more records and"
                    + " resumes later", DroppedFile.printable(batch.name()), line(exchange), BatchStoppedException.plainWords(e), e);
            batch.interrupt("the outbox cannot be written");
            exchange.getMessage().setBody(null);
        }
    }

    /** After the last record: checks every record got its result, then writes the summary (atomically, last). */
    public void writeSummary(Exchange exchange) throws IOException {
        try {
            summarize(batch(exchange));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw BatchStoppedException.of(e);
        }
    }

    private void summarize(FileBatch batch) throws IOException {
        if (batch.abandoned()) {
            throw new IllegalStateException("the batch was given up as stalled");
        }
        if (batch.interruptedBy() != null) {
            throw new InfrastructureUnavailableException(batch.interruptedBy(), "the batch was interrupted: "
                    + batch.interruptedBy(), null);
        }
        batch.close();
        if (batch.written() != batch.total) {
            throw new IllegalStateException("only " + batch.written() + " of " + batch.total + " records got a result");
        }
        Instant finishedAt = Instant.now();
        ObjectNode summaryJson = batch.summary().toJson(mapper, batch.batchId, batch.name(), batch.total, batch.startedAt,
                finishedAt);
        String json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(summaryJson);
        Path summary = summaryFile(batch.name());
        // before the summary, which stays the last file written: the sign that the batch is done
        BatchReport.write(outbox.resolve(stem(batch.name()) + ".report.html"), summaryJson, batch.summary());
        byte[] summaryBytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            PrivateFiles.writeAtomically(summary, out -> out.write(summaryBytes));
        } catch (IOException e) {
            throw InfrastructureUnavailableException.ofOutbox(e);
        }
        outages.untilDone("end of batch " + batch.batchId,
                () -> batches.finish(batch.batchId, BatchStore.Status.COMPLETED, batch.written()));
        running.remove(batch.batchId, batch);
        // about the whole batch, not the record whose thread finishes it
        MDC.remove(Onboardings.ID);
        LOG.info("file {}: done, {} records in {} s: {}", DroppedFile.printable(batch.name()), batch.total,
                Duration.between(batch.startedAt, finishedAt).toMillis() / 1000.0,
                mapper.writeValueAsString(mapper.readTree(json).path("byStatus")));
    }

    /**
     * Keeps the input in {@code <inbox>/.done/} with its secrets masked, then removes it from the inbox. When the masked
     * copy cannot be written the input stays (it is never deleted before its copy exists), the failure is logged, and
     * the file is left alone until it changes.
     */
    public void archive(Exchange exchange) {
        FileBatch batch = batch(exchange);
        keep(batch.source, batch.format, batch.source.resolveSibling(DONE_DIR), batch.name());
    }

    /**
     * A file that cannot be processed, or whose batch stopped: the batch ends FAILED, and the file goes to
     * {@code <inbox>/.error/} (moved; masked when it holds passwords) with {@code <name>.reason.txt}, which names the
     * line and the problem, never the file's content. Never throws: the channel goes on with the next file.
     */
    public void reject(Exchange exchange) {
        Path source = source(exchange);
        String name = source.getFileName().toString();
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        FileBatch batch = exchange.getProperty(BATCH, FileBatch.class);
        if (batch != null && batch.abandoned()) {
            // given up as stalled: a new run (here or in another instance) has the file and the batch
            LOG.warn("file {}: the run given up as stalled has ended", DroppedFile.printable(name));
            return;
        }
        if (InfrastructureUnavailableException.isOutage(e) || (batch != null && batch.interruptedBy() != null)) {
            interrupted(source, name, batch, e);
            return;
        }
        String reason = e instanceof UnprocessableFileException ? e.getMessage()
                : "processing stopped: " + BatchStoppedException.plainWords(e) + " (see the hub log)";
        try {
            if (batch != null) {
                running.remove(batch.batchId, batch);
                reason += " (" + batch.written() + " of " + batch.total + " records had been processed; see "
                        + resultsFile(name).getFileName() + ")";
                batch.close();
            }
            String batchId = exchange.getProperty(BATCH_ID, String.class);
            if (batchId != null) {
                batches.finish(batchId, BatchStore.Status.FAILED, batch == null ? 0 : batch.written());
            }
        } catch (Throwable closing) {
            LOG.error("file {}: the failed batch could not be closed or recorded", DroppedFile.printable(name), closing);
        }
        if (e instanceof UnprocessableFileException) {
            LOG.warn("file {} cannot be processed: {}", DroppedFile.printable(name), reason);
        } else {
            LOG.error("file {} stopped: {}", DroppedFile.printable(name), reason, e);
        }
        Path errors = source.resolveSibling(ERROR_DIR);
        boolean kept = keep(source, formatOrCsv(name), errors, name);
        String text = reason + (kept ? "" : "; the file could not be moved here and stays in the inbox (see the hub log)");
        try {
            byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
            PrivateFiles.writeAtomically(PrivateFiles.folder(errors).resolve(stem(name) + ".reason.txt"), out -> out.write(bytes));
        } catch (Throwable writing) {
            LOG.error("file {}: its reason file could not be written", DroppedFile.printable(name), writing);
        }
    }

    /**
     * The database or the outbox stayed unavailable: no record failed. The batch stays RUNNING and its file in the
     * inbox (same name and content: it resumes under the same id, records already onboarded are not onboarded again),
     * and this instance gives the inbox up for a while, so that another instance sharing it (or this one, later)
     * takes the file again.
     */
    private void interrupted(Path source, String name, FileBatch batch, Throwable e) {
        String why = batch != null && batch.interruptedBy() != null ? batch.interruptedBy()
                : e instanceof InfrastructureUnavailableException u ? u.what() + " is unavailable" : "the database is unavailable";
        if (batch != null) {
            running.remove(batch.batchId, batch);
            try {
                batch.close();
            } catch (Throwable closing) {
                LOG.warn("file {}: closing the interrupted batch failed", DroppedFile.printable(name), closing);
            }
        }
        LOG.warn("file {}: batch interrupted, {} ({} records had their result); it stays in the inbox and resumes"
                + " when the inbox is taken again", DroppedFile.printable(name), why, batch == null ? 0 : batch.written());
        // not taken again by this consumer before it stops (the inbox is given up first)
        inboxFilter.hold(source);
        inboxRelease.release("batch of file " + DroppedFile.printable(name) + " interrupted: " + why,
                () -> inboxFilter.unhold(source));
    }

    /**
     * The owner's batch that finished no record for {@code after} while records remain (not because the hub waits for
     * its database): a live but stuck owner is treated like a dead one. The batch is given up here and the inbox
     * released, so another instance (or this one, a little later) resumes it from what is stored. True if one was.
     */
    boolean giveUpStalled(Duration after) {
        if (outages.current().isPresent()) {
            // waiting for the database is not being stuck
            running.values().forEach(FileBatch::touch);
            return false;
        }
        for (FileBatch batch : running.values()) {
            if (batch.idle().compareTo(after) > 0 && batch.remaining() > 0 && batch.interruptedBy() == null) {
                LOG.error("file {}: batch {} has finished no record for {} s with {} records to go: giving it up, so that"
                        + " it resumes from what is stored", DroppedFile.printable(batch.name()), batch.batchId,
                        batch.idle().toSeconds(), batch.remaining());
                batch.abandon();
                running.remove(batch.batchId, batch);
                inboxRelease.release("batch of file " + DroppedFile.printable(batch.name()) + " stalled", () -> { });
                return true;
            }
        }
        return false;
    }

    /** Puts the input away in {@code folder} (masked), or leaves it in the inbox, held, when that fails. */
    private boolean keep(Path source, BatchFormat format, Path folder, String name) {
        try {
            masking.keep(source, format, PrivateFiles.folder(folder).resolve(name));
            return true;
        } catch (Throwable e) {
            LOG.error("file {}: could not keep its masked copy in {} ({}); the file stays in the inbox, left alone"
                    + " until it changes", DroppedFile.printable(name), folder.getFileName(),
                    BatchStoppedException.plainWords(e), e);
            inboxFilter.hold(source);
            return false;
        }
    }

    /** A batch that has finished no record for that long, by name: the channel is stuck behind it. */
    Optional<String> stalled(Duration after) {
        Optional<OutageWait.Outage> outage = outages.current();
        if (outage.isPresent() && !running.isEmpty()) {
            return running.values().stream().findFirst().map(b -> "the batch of file " + DroppedFile.printable(b.name())
                    + " is paused: " + outage.get().what() + " is unavailable (for "
                    + Duration.between(outage.get().since(), Instant.now()).toSeconds() + " s); it goes on by itself when it is back");
        }
        return running.values().stream().filter(b -> b.idle().compareTo(after) > 0).findFirst()
                .map(b -> "the batch of file " + DroppedFile.printable(b.name()) + " has finished no record for "
                        + b.idle().toSeconds() + " s");
    }

    private static BatchFormat formatOrCsv(String name) {
        try {
            return BatchFormat.of(name);
        } catch (UnprocessableFileException e) {
            return BatchFormat.CSV;
        }
    }

    private static FileBatch batch(Exchange exchange) {
        return exchange.getProperty(BATCH, FileBatch.class);
    }

    private static long line(Exchange exchange) {
        return exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class) + 1L;
    }

    private static Path source(Exchange exchange) {
        return Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
    }
}
