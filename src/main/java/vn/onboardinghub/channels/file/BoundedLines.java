package vn.onboardinghub.channels.file;

import java.io.IOException;
import java.io.Reader;

/**
 * The lines of a text (ending with LF, CR LF or a lone CR, as {@code BufferedReader.readLine} reads them), none held
 * longer than the limit: the rest of a longer line streams past unread, and the line comes back as too long.
 */
final class BoundedLines implements AutoCloseable {
    /** One line: its text, or null when it was longer than the limit; {@code number} counts from 1. */
    record Line(String text, long number) {
        boolean tooLong() {
            return text == null;
        }
    }

    private final Reader in;
    private final int maxChars;
    private final char[] buffer = new char[16 * 1024];
    private final StringBuilder current = new StringBuilder();
    private int position;
    private int limit;
    private long number;
    private boolean afterCarriageReturn;

    BoundedLines(Reader in, int maxChars) {
        this.in = in;
        this.maxChars = maxChars;
    }

    /** The next line, or null at the end of the text. */
    Line next() throws IOException {
        current.setLength(0);
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit < 0) {
                    limit = 0;
                    return any ? new Line(tooLong ? null : current.toString(), ++number) : null;
                }
            }
            char c = buffer[position++];
            if (c == '\n' && afterCarriageReturn) {
                afterCarriageReturn = false;
                continue;
            }
            afterCarriageReturn = c == '\r';
            if (c == '\n' || c == '\r') {
                return new Line(tooLong ? null : current.toString(), ++number);
            }
            any = true;
            if (!tooLong) {
                if (current.length() == maxChars) {
                    tooLong = true;
                    current.setLength(0);
                    current.trimToSize();
                } else {
                    current.append(c);
                }
            }
        }
    }

    /** The number of the line being read (for an error that stops the reading, e.g. bytes that are not UTF-8). */
    long lineBeingRead() {
        return number + 1;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
