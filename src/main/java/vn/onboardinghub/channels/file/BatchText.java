package vn.onboardinghub.channels.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharsetDecoder;
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

    static Reader reader(Path file, boolean utf8) throws IOException {
        return utf8 ? utf8(file) : bytes(file);
    }
}
