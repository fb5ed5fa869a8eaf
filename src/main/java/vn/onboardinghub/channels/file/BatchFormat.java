package vn.onboardinghub.channels.file;

import java.util.Locale;

/** The two kinds of file the inbox accepts, told apart by extension. */
enum BatchFormat {
    /** A header row naming the columns, then one merchant per record. */
    CSV,
    /** One normalized request JSON per non-blank line. */
    NDJSON;

    static BatchFormat of(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".ndjson")) {
            return NDJSON;
        }
        throw new UnprocessableFileException("not a .csv or .ndjson file");
    }
}
