package vn.onboardinghub.channels.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Opens a dropped file as text. Strict UTF-8: an invalid byte sequence is an error ({@code MalformedInputException}),
 * never a silent replacement character; a leading byte order mark is skipped.
 */
final class BatchText {
    private static final int BUFFER = 64 * 1024;

    private BatchText() {
    }

    static BufferedReader utf8(Path file) throws IOException {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader reader = new BufferedReader(new InputStreamReader(DroppedFile.open(file), strict), BUFFER);
        skipByteOrderMark(reader);
        return reader;
    }

    /**
     * Any bytes as text, one char per byte: used to mask secrets in a file that is not UTF-8, so that writing the
     * text back in ISO-8859-1 restores every other byte unchanged.
     */
    static BufferedReader bytes(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(DroppedFile.open(file), StandardCharsets.ISO_8859_1), BUFFER);
    }

    private static void skipByteOrderMark(BufferedReader reader) throws IOException {
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
    }

    static boolean isUtf8Error(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.charset.CharacterCodingException) {
                return true;
            }
        }
        return false;
    }

    /** The line (from 1) holding the file's first byte sequence that is not UTF-8; 0 when there is none. */
    static long lineOfFirstInvalidUtf8(Path file) throws IOException {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.allocate(BUFFER);
        // UTF-8 never decodes to more chars than bytes: the output cannot overflow
        CharBuffer chars = CharBuffer.allocate(BUFFER);
        long line = 1;
        try (InputStream in = DroppedFile.open(file)) {
            while (true) {
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                boolean end = n < 0;
                if (n > 0) {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
                int start = bytes.position();
                CoderResult result = strict.decode(bytes, chars, end);
                for (int i = start; i < bytes.position(); i++) {
                    if (bytes.get(i) == '\n') {
                        line++;
                    }
                }
                if (result.isError()) {
                    return line;
                }
                if (end) {
                    return 0;
                }
                chars.clear();
                bytes.compact();
            }
        }
    }

    static Reader reader(Path file, boolean utf8) throws IOException {
        return utf8 ? utf8(file) : bytes(file);
    }
}
