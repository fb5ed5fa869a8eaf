package vn.onboardinghub.channels.file;

/**
 * A record of a dropped file that could not be read as a request (too long, a NUL character, a wrong number of CSV
 * values): it fails alone with {@code INVALID_REQUEST}, and the batch goes on. {@code problem} names the line and says
 * what is wrong, never quoting the record.
 */
public record RecordProblem(String problem) {
}
