package vn.onboardinghub.channels.file;

/** A dropped file that cannot be processed at all (not UTF-8 text, a CSV header without a required column). */
public class UnprocessableFileException extends RuntimeException {
    public UnprocessableFileException(String reason) {
        super(reason);
    }
}
