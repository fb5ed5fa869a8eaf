package vn.onboardinghub.channels.file;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The CSV text as the parser (Commons CSV) gets it: the same records, with every record that cannot be trusted marked,
 * and no record or field larger than the limits ever held in memory. It follows the structure of the text (quotes,
 * commas, line ends, as RFC 4180 and {@link CsvColumns#FORMAT} read them) and, for a record with a problem — a field
 * or the record over its limit, a NUL character, a field count unlike the header's — passes one NUL character in the
 * record's text and queues the problem, naming the line. Oversized content is dropped as it streams past (only the
 * quotes, commas and line ends are kept, so the records after it stay where they are). Raw NULs from the input are
 * never passed on, so a NUL in a parsed record always means exactly one queued problem, in record order.
 *
 * <p>Commons CSV has no size limit of its own: it would build a 40 MB field in memory before anyone could refuse it.
 */
final class BoundedCsvText extends Reader {
    static final char MARK = '\0';

    private enum State { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED }

    private final Reader in;
    private final int maxRecordChars;
    private final int maxFieldChars;
    private final Deque<String> problems = new ArrayDeque<>();
    private final char[] input = new char[16 * 1024];
    private final StringBuilder output = new StringBuilder(16 * 1024 + 8);
    private int outputRead;
    private boolean eof;

    private State state = State.FIELD_START;
    /** Lines are counted from 1; a line ends with LF, CR LF or a lone CR (as the parser reads them). */
    private long line = 1;
    private boolean afterCarriageReturn;
    private boolean recordStarted;
    private long recordLine;
    private long quoteLine;
    private int recordChars;
    private int fieldChars;
    private int fields;
    private int headerFields = -1;
    private boolean recordMarked;
    private boolean dropRecord;
    private boolean dropField;

    BoundedCsvText(Reader in, int maxRecordChars, int maxFieldChars) {
        this.in = in;
        this.maxRecordChars = maxRecordChars;
        this.maxFieldChars = maxFieldChars;
    }

    /** The problem of the next marked record (in the order the parser meets them). */
    String nextProblem() {
        String problem = problems.poll();
        return problem == null ? "the record could not be read" : problem;
    }

    /** Once the text is read to its end: the line where a quoted value opened and never closed, else 0. */
    long unclosedQuoteLine() {
        return eof && (state == State.QUOTED) ? quoteLine : 0;
    }

    /** The line being read (for an error that stops the reading, e.g. bytes that are not UTF-8). */
    long line() {
        return line;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        while (outputRead == output.length()) {
            output.setLength(0);
            outputRead = 0;
            if (eof) {
                return -1;
            }
            int n = in.read(input, 0, input.length);
            if (n < 0) {
                eof = true;
                endOfText();
            } else {
                for (int i = 0; i < n; i++) {
                    accept(input[i]);
                }
            }
        }
        int n = Math.min(length, output.length() - outputRead);
        output.getChars(outputRead, outputRead + n, buffer, offset);
        outputRead += n;
        return n;
    }

    private void accept(char c) {
        boolean carriageReturn = c == '\r';
        boolean lineFeedAfterCr = c == '\n' && afterCarriageReturn;
        afterCarriageReturn = carriageReturn;
        if (lineFeedAfterCr) {
            // the second half of a CR LF that already ended the line (or the record)
            line--;
        }
        if (c == '\n' || carriageReturn) {
            line++;
        }
        if (c == MARK) {
            startRecord();
            problem("a NUL character (the file may not be a text file)");
            return;
        }
        switch (state) {
            case FIELD_START -> {
                if (isLineEnd(c)) {
                    if (lineFeedAfterCr || !recordStarted) {
                        // an empty line (skipped by the parser) or the LF of a CR LF
                        output.append(c);
                        return;
                    }
                    endRecord(c);
                    return;
                }
                startRecord();
                if (c == ',') {
                    endField(c);
                } else if (c == '"') {
                    quoteLine = line;
                    state = State.QUOTED;
                    structure(c);
                } else {
                    state = State.UNQUOTED;
                    content(c);
                }
            }
            case UNQUOTED -> {
                if (c == ',') {
                    endField(c);
                } else if (isLineEnd(c)) {
                    endRecord(c);
                } else {
                    content(c);
                }
            }
            case QUOTED -> {
                if (c == '"') {
                    // held back: a closing quote, or the first half of an escaped quote ("")
                    state = State.QUOTE_IN_QUOTED;
                } else {
                    content(c);
                }
            }
            case QUOTE_IN_QUOTED -> {
                if (c == '"') {
                    state = State.QUOTED;
                    escapedQuote();
                    return;
                }
                structure('"');
                if (c == ',') {
                    endField(c);
                } else if (isLineEnd(c)) {
                    endRecord(c);
                } else {
                    // text after a closing quote: the parser keeps it in the same value
                    state = State.UNQUOTED;
                    content(c);
                }
            }
        }
    }

    private static boolean isLineEnd(char c) {
        return c == '\n' || c == '\r';
    }

    private boolean dropping() {
        return dropRecord || dropField;
    }

    private void startRecord() {
        if (!recordStarted) {
            recordStarted = true;
            recordLine = line;
            recordChars = 0;
            fieldChars = 0;
            fields = 1;
            recordMarked = false;
            dropRecord = false;
            dropField = false;
        }
    }

    private void content(char c) {
        recordChars++;
        fieldChars++;
        if (!dropRecord && recordChars > maxRecordChars) {
            problem("the record is longer than the limit of " + maxRecordChars + " characters");
            dropRecord = true;
        } else if (!dropping() && fieldChars > maxFieldChars) {
            problem("a value is longer than the limit of " + maxFieldChars + " characters");
            dropField = true;
        }
        if (!dropping()) {
            output.append(c);
        }
    }

    /** {@code ""} inside quotes: one quote of content, kept or dropped as a whole. */
    private void escapedQuote() {
        recordChars++;
        fieldChars++;
        content('"');
        if (!dropping()) {
            output.append('"');
        }
    }

    private void structure(char c) {
        recordChars++;
        output.append(c);
    }

    private void endField(char comma) {
        structure(comma);
        fields++;
        fieldChars = 0;
        dropField = false;
        state = State.FIELD_START;
    }

    private void endRecord(char lineEnd) {
        checkFieldCount();
        output.append(lineEnd);
        recordStarted = false;
        state = State.FIELD_START;
    }

    private void endOfText() {
        if (state == State.QUOTE_IN_QUOTED) {
            structure('"');
        }
        if (recordStarted && state != State.QUOTED) {
            checkFieldCount();
        }
    }

    private void checkFieldCount() {
        if (headerFields < 0) {
            headerFields = fields;
        } else if (fields != headerFields) {
            problem("the record has " + fields + " values where the header has " + headerFields
                    + " (a comma too many or too few, or a value with a comma that is not in quotes)");
        }
    }

    /** Marks the current record once, with its first problem. */
    private void problem(String what) {
        if (!recordMarked) {
            recordMarked = true;
            problems.add("line " + recordLine + ": " + what);
            output.append(MARK);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
