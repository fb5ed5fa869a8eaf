package vn.onboardinghub.channels.file;

/**
 * How large one record of a dropped file may be ({@code hub.file.max-record-chars}: a CSV record or an NDJSON line)
 * and one value in it ({@code hub.file.max-field-chars}). A larger record fails alone; it is never held in memory.
 */
record BatchLimits(int maxRecordChars, int maxFieldChars) {
    BatchLimits {
        if (maxRecordChars < 1 || maxFieldChars < 1) {
            throw new IllegalArgumentException("hub.file.max-record-chars and hub.file.max-field-chars must be at least 1");
        }
    }
}
