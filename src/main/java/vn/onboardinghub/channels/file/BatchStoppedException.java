package vn.onboardinghub.channels.file;

import java.io.IOException;

/**
 * A batch that stopped for a reason of the hub's, not of the file's: anything thrown while it ran, an
 * {@code OutOfMemoryError} or a file system error included. Its message is in plain words for the reason file (the
 * cause, with its details, goes to the log only).
 */
final class BatchStoppedException extends RuntimeException {
    private BatchStoppedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Runtime exceptions as they are (a refused file keeps its reason); anything else wrapped. */
    static RuntimeException of(Throwable e) {
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        return new BatchStoppedException(plainWords(e), e);
    }

    /** What stopped the batch, as the reason file says it. */
    static String plainWords(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return "the hub ran out of memory";
            }
            if (t instanceof IOException) {
                return "a file could not be read or written";
            }
        }
        return "an internal error";
    }
}
