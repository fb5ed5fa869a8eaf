package vn.onboardinghub.channels.file;

/**
 * One JSON document as one line of an NDJSON output, for every reader: JSON escapes the control characters already,
 * but leaves U+0085, U+2028 and U+2029 raw inside strings, which some readers take for line breaks (Python's
 * {@code str.splitlines}, JavaScript before ES2019) and would split a merchant's value into a line of its own. They
 * can only occur inside strings, so their escapes mean the same JSON.
 */
final class NdjsonLines {
    private NdjsonLines() {
    }

    static String line(String json) {
        return json.replace("\u0085", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }
}
