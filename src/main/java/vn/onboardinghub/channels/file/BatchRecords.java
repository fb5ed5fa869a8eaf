package vn.onboardinghub.channels.file;

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
 * The records of a dropped file, read one at a time (never the whole file in memory), each as the JSON text of one
 * normalized request. The n-th record returned is record n of the file (a CSV header is not a record, nor is a
 * blank NDJSON line).
 */
abstract class BatchRecords implements Iterator<String>, Closeable {

    static BatchRecords open(Path file, BatchFormat format, ObjectMapper mapper) throws IOException {
        BufferedReader text = BatchText.utf8(file);
        try {
            return format == BatchFormat.CSV ? new Csv(text, mapper) : new Ndjson(text);
        } catch (RuntimeException e) {
            text.close();
            throw e;
        }
    }

    /**
     * Reads the whole file once without keeping anything, so that a file that cannot be processed at all is refused
     * before any record reaches a provider. Returns the number of records.
     */
    static long count(Path file, BatchFormat format, ObjectMapper mapper) {
        long count = 0;
        try (BatchRecords records = open(file, format, mapper)) {
            while (records.hasNext()) {
                records.skip();
                count++;
            }
            return count;
        } catch (IOException | UncheckedIOException e) {
            if (BatchText.isUtf8Error(e)) {
                throw new UnprocessableFileException("not UTF-8 text: invalid byte sequence after the first " + count
                        + " record(s) (save the file as UTF-8; a byte order mark is allowed)");
            }
            throw new UncheckedIOException(e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
        }
    }

    /** Moves past the next record without building its request. */
    abstract void skip();

    /** CSV: the header row names the columns; every further record is one request. */
    private static final class Csv extends BatchRecords {
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final CsvColumns columns;

        Csv(BufferedReader text, ObjectMapper mapper) throws IOException {
            this.parser = CSVParser.builder().setReader(text).setFormat(CsvColumns.FORMAT).get();
            this.records = parser.iterator();
            if (!records.hasNext()) {
                throw new UnprocessableFileException("no CSV header: the file is empty");
            }
            this.columns = CsvColumns.of(records.next(), mapper);
        }

        @Override
        public boolean hasNext() {
            return records.hasNext();
        }

        @Override
        public String next() {
            return columns.requestJson(records.next());
        }

        @Override
        void skip() {
            records.next();
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }

    /** NDJSON: each non-blank line is one request; a malformed line is still a record (and fails validation). */
    private static final class Ndjson extends BatchRecords {
        private final BufferedReader text;
        private String nextLine;

        Ndjson(BufferedReader text) {
            this.text = text;
        }

        @Override
        public boolean hasNext() {
            try {
                while (nextLine == null) {
                    String line = text.readLine();
                    if (line == null) {
                        return false;
                    }
                    if (!line.isBlank()) {
                        nextLine = line;
                    }
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String line = nextLine;
            nextLine = null;
            return line;
        }

        @Override
        void skip() {
            next();
        }

        @Override
        public void close() throws IOException {
            text.close();
        }
    }
}
