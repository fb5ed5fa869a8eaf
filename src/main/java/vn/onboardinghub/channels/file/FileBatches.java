package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.RequestError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;

/**
 * The steps of {@code routes/intake-file.camel.yaml}: check a dropped file as a whole, stream its records to the
 * core, write one result line per record, then the summary, then keep the input (secrets masked) in {@code .done/}
 * — or in {@code .error/} with the reason when the file cannot be processed. Knows no provider.
 */
public class FileBatches {
    static final String BATCH = "fileBatch";
    static final String DONE_DIR = ".done";
    static final String ERROR_DIR = ".error";
    /** A record whose processing crashed (not a validation or provider failure, which are results already). */
    static final String RECORD_FAILED = "RECORD_FAILED";
    private static final Logger LOG = LoggerFactory.getLogger(FileBatches.class);

    private final ObjectMapper mapper;
    private final SecretMasking masking;
    private final Path outbox;
    private final int concurrency;
    private final boolean includeCredentials;

    public FileBatches(ObjectMapper mapper, Path outbox, int concurrency, boolean includeCredentials) {
        this.mapper = mapper;
        this.masking = new SecretMasking(mapper);
        this.outbox = outbox;
        this.concurrency = concurrency;
        this.includeCredentials = includeCredentials;
    }

    /** {@code <outbox>/<name>.results.ndjson}, where name is the dropped file's name without its extension. */
    Path resultsFile(String name) {
        return outbox.resolve(stem(name) + ".results.ndjson");
    }

    /** {@code merchants.csv} → {@code merchants}: the {@code <name>} of CONTRACT §6's output files. */
    static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    Path summaryFile(String name) {
        return outbox.resolve(stem(name) + ".summary.json");
    }

    /**
     * Reads the whole file once (UTF-8, CSV header) before any record is onboarded: a file that cannot be processed
     * at all is refused here, not half-way. Then opens its record stream and results file.
     */
    public void open(Exchange exchange) throws IOException {
        Path source = source(exchange);
        BatchFormat format = BatchFormat.of(source.getFileName().toString());
        long records = BatchRecords.count(source, format, mapper);
        Files.createDirectories(outbox);
        BatchRecords reader = BatchRecords.open(source, format, mapper);
        ResultsWriter results;
        try {
            results = new ResultsWriter(resultsFile(source.getFileName().toString()), mapper, includeCredentials);
        } catch (IOException e) {
            reader.close();
            throw e;
        }
        exchange.setProperty(BATCH, new FileBatch(source, format, records, reader, results, concurrency));
        LOG.info("file {}: {} records, {} at a time", source.getFileName(), records, concurrency);
    }

    /** The split's expression: the file's records as request JSON, read as the split asks for them. */
    public Iterator<String> records(Exchange exchange) {
        return batch(exchange).records();
    }

    /** A record whose processing threw: it still gets its result line, FAILED with the reason. */
    public OnboardingResult failedRecord(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.error("file {}: record {} failed", batch(exchange).name(), line(exchange), e);
        // the type only: an exception message could quote the record, secrets included
        return OnboardingResult.rejected(null, null, new RequestError(RECORD_FAILED,
                "the hub could not process this record (" + (e == null ? "unknown error" : e.getClass().getSimpleName())
                        + "); see the hub log", null));
    }

    /** Appends the record's result line (the split index is the record's position in the file) and counts it. */
    public void writeResult(Exchange exchange) throws IOException {
        OnboardingResult result = exchange.getMessage().getBody(OnboardingResult.class);
        if (result == null) {
            throw new IllegalStateException("record " + line(exchange) + " has no result");
        }
        batch(exchange).recordDone(line(exchange), result);
    }

    /** After the last record: checks every record got its result, then writes the summary (atomically, last). */
    public void writeSummary(Exchange exchange) throws IOException {
        FileBatch batch = batch(exchange);
        batch.close();
        if (batch.written() != batch.total) {
            throw new IllegalStateException("only " + batch.written() + " of " + batch.total + " records got a result");
        }
        Instant finishedAt = Instant.now();
        ObjectNode summaryJson = batch.summary().toJson(mapper, batch.name(), batch.total, batch.startedAt, finishedAt);
        String json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(summaryJson);
        Path summary = summaryFile(batch.name());
        // before the summary, which stays the last file written: the sign that the batch is done
        BatchReport.write(outbox.resolve(stem(batch.name()) + ".report.html"), summaryJson, batch.summary());
        Path temporary = summary.resolveSibling("." + summary.getFileName() + ".tmp");
        Files.writeString(temporary, json + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, summary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("file {}: done, {} records in {} s: {}", batch.name(), batch.total,
                Duration.between(batch.startedAt, finishedAt).toMillis() / 1000.0,
                mapper.writeValueAsString(mapper.readTree(json).path("byStatus")));
    }

    /** Keeps the input in {@code <inbox>/.done/} with its secrets masked; the file consumer then deletes the original. */
    public void archive(Exchange exchange) throws IOException {
        FileBatch batch = batch(exchange);
        masking.copy(batch.source, batch.format, batch.source.resolveSibling(DONE_DIR).resolve(batch.name()));
    }

    /** A file that cannot be processed: masked copy and {@code <name>.reason.txt} in {@code <inbox>/.error/}. */
    public void reject(Exchange exchange) throws IOException {
        Path source = source(exchange);
        String name = source.getFileName().toString();
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        FileBatch batch = exchange.getProperty(BATCH, FileBatch.class);
        if (batch != null) {
            batch.close();
        }
        String reason = e instanceof UnprocessableFileException ? e.getMessage()
                : "processing stopped: " + (e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage());
        if (batch != null) {
            reason += " (" + batch.written() + " of " + batch.total + " records had been processed; see "
                    + resultsFile(name).getFileName() + ")";
        }
        Path errors = Files.createDirectories(source.resolveSibling(ERROR_DIR));
        try {
            masking.copy(source, formatOrCsv(name), errors.resolve(name));
        } catch (IOException | RuntimeException maskingFailed) {
            // never keep a copy that may hold plaintext passwords; the reason says the input is gone
            LOG.error("file {}: could not keep a masked copy", name, maskingFailed);
            reason += "; the input could not be kept (" + maskingFailed.getClass().getSimpleName() + ")";
        }
        Files.writeString(errors.resolve(stem(name) + ".reason.txt"), reason + "\n", StandardCharsets.UTF_8);
        if (e instanceof UnprocessableFileException) {
            LOG.warn("file {} cannot be processed, moved to {}: {}", name, errors, reason);
        } else {
            LOG.error("file {} stopped, moved to {}: {}", name, errors, reason, e);
        }
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
