package vn.onboardinghub.channels.file;

/**
 * A record the batch did not take after all: the batch was interrupted (or given up) while the split was already
 * asking for it. It is not onboarded and gets no line in this run; the batch resumes it later.
 */
public final class SkippedRecord {
    static final SkippedRecord INSTANCE = new SkippedRecord();

    private SkippedRecord() {
    }
}
