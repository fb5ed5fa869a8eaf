package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The records of a dropped file, read one at a time (never the whole file, nor a record over the {@link BatchLimits},
 * in memory), each as the JSON text of one normalized request, or as a {@link RecordProblem} when the record cannot be
 * read as one. The n-th record returned is record n of the file (a CSV header is not a record, nor is a blank line).
 */
abstract class BatchRecords implements Iterator<Object>, Closeable {

    static BatchRecords open(Path file, BatchFormat format, ObjectMapper mapper, BatchLimits limits, SecretFields secrets)
            throws IOException {
        BufferedReader text = BatchText.utf8(file);
        try {
            return format == BatchFormat.CSV ? new Csv(text, mapper, limits, secrets) : new Ndjson(text, mapper, limits);
        } catch (IOException | RuntimeException e) {
            text.close();
            throw e;
        }
    }

    /**
     * Reads the whole file once without keeping anything, so that a file that cannot be processed at all (not UTF-8,
     * no usable CSV header, a quote never closed) is refused before any record reaches a provider. Returns the number
     * of records.
     */
    static long count(Path file, BatchFormat format, ObjectMapper mapper, BatchLimits limits, SecretFields secrets) {
        long count = 0;
        try (BatchRecords records = open(file, format, mapper, limits, secrets)) {
            while (records.hasNext()) {
                records.skip();
                count++;
            }
            records.checkComplete();
            return count;
        } catch (IOException | UncheckedIOException e) {
            throw unreadable(file, e);
        }
    }

    /** Reading stopped: in plain words, naming the line, for the reason file. */
    private static RuntimeException unreadable(Path file, Exception e) {
        if (BatchText.isUtf8Error(e)) {
            // the decoder reads ahead, so the line being parsed is not where the bad bytes are: find them
            long line;
            try {
                line = BatchText.lineOfFirstInvalidUtf8(file);
            } catch (IOException | RuntimeException rereading) {
                line = 0;
            }
            return new UnprocessableFileException((line > 0 ? "line " + line + ": " : "") + "bytes that are not UTF-8"
                    + " text (save the file as UTF-8; a byte order mark is allowed)");
        }
        if (e instanceof UnreadableLineException unreadable) {
            return new UnprocessableFileException("line " + unreadable.line + ": the file could not be read further");
        }
        return new UncheckedIOException(e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
    }

    /** Moves past the next record without building its request. */
    abstract void skip();

    /** After the last record: throws when the end of the file left a record unfinished. */
    void checkComplete() {
    }

    /** A read error, with the line it happened on. */
    static final class UnreadableLineException extends UncheckedIOException {
        final long line;

        UnreadableLineException(long line, IOException cause) {
            super("line " + line, cause);
            this.line = line;
        }
    }

    /** CSV: the header row names the columns; every further record is one request. */
    private static final class Csv extends BatchRecords {
        private final BoundedCsvText text;
        private final CSVParser parser;
        private final Iterator<CSVRecord> parsed;
        private final CsvColumns columns;
        private CSVRecord next;

        Csv(BufferedReader reader, ObjectMapper mapper, BatchLimits limits, SecretFields secrets) throws IOException {
            this.text = new BoundedCsvText(reader, limits.maxRecordChars(), limits.maxFieldChars());
            this.parser = CSVParser.builder().setReader(text).setFormat(CsvColumns.FORMAT).get();
            this.parsed = parser.iterator();
            CSVRecord header = read();
            if (header == null) {
                checkComplete();
                throw new UnprocessableFileException("no CSV header: the file is empty");
            }
            if (isMarked(header)) {
                throw new UnprocessableFileException("the CSV header cannot be read: " + text.nextProblem());
            }
            this.columns = CsvColumns.of(header, mapper, secrets);
        }

        private CSVRecord read() {
            try {
                return parsed.hasNext() ? parsed.next() : null;
            } catch (UncheckedIOException e) {
                throw new UnreadableLineException(text.line(), e.getCause());
            }
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                next = read();
            }
            return next != null;
        }

        private CSVRecord take() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            CSVRecord record = next;
            next = null;
            return record;
        }

        @Override
        public Object next() {
            CSVRecord record = take();
            return isMarked(record) ? new RecordProblem(text.nextProblem()) : columns.requestJson(record);
        }

        @Override
        void skip() {
            if (isMarked(take())) {
                text.nextProblem();
            }
        }

        @Override
        void checkComplete() {
            long quoteLine = text.unclosedQuoteLine();
            if (quoteLine > 0) {
                throw new UnprocessableFileException("line " + quoteLine + ": a quoted value starts here and its closing"
                        + " quote is missing, so the records after it cannot be told apart (close the quote; a quote"
                        + " inside a quoted value is written twice: \"\")");
            }
        }

        private static boolean isMarked(CSVRecord record) {
            for (String value : record) {
                if (value.indexOf(BoundedCsvText.MARK) >= 0) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }

    /** NDJSON: each non-blank line is one request; a malformed line is still a record (and fails validation). */
    private static final class Ndjson extends BatchRecords {
        private final BoundedLines lines;
        private final ObjectMapper mapper;
        private final BatchLimits limits;
        private BoundedLines.Line next;

        Ndjson(BufferedReader text, ObjectMapper mapper, BatchLimits limits) {
            this.lines = new BoundedLines(text, limits.maxRecordChars());
            this.mapper = mapper;
            this.limits = limits;
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null) {
                    BoundedLines.Line line = lines.next();
                    if (line == null) {
                        return false;
                    }
                    if (line.tooLong() || !line.text().isBlank()) {
                        next = line;
                    }
                }
                return true;
            } catch (IOException e) {
                throw new UnreadableLineException(lines.lineBeingRead(), e);
            }
        }

        private BoundedLines.Line take() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            BoundedLines.Line line = next;
            next = null;
            return line;
        }

        @Override
        public Object next() {
            BoundedLines.Line line = take();
            if (line.tooLong()) {
                return new RecordProblem("line " + line.number() + ": the line is longer than the limit of "
                        + limits.maxRecordChars() + " characters");
            }
            if (hasLongValue(line.text())) {
                return new RecordProblem("line " + line.number() + ": a value is longer than the limit of "
                        + limits.maxFieldChars() + " characters");
            }
            return line.text();
        }

        /** A name or text value over the field limit (a malformed line is left to validation). */
        private boolean hasLongValue(String line) {
            if (line.length() <= limits.maxFieldChars()) {
                return false;
            }
            try (JsonParser json = mapper.getFactory().createParser(line)) {
                for (JsonToken token = json.nextToken(); token != null; token = json.nextToken()) {
                    if ((token == JsonToken.VALUE_STRING || token == JsonToken.FIELD_NAME)
                            && json.getTextLength() > limits.maxFieldChars()) {
                        return true;
                    }
                }
            } catch (IOException malformed) {
                // validation reports it, with the line's own result
            }
            return false;
        }

        @Override
        void skip() {
            take();
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }
}
