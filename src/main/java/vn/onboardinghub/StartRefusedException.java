package vn.onboardinghub;

/**
 * The hub cannot start as configured (a port in use, a data directory another hub holds): its message is one line
 * that names the cause and the setting to change, and {@code java -jar} prints only that line and exits non-zero.
 */
public class StartRefusedException extends IllegalStateException {
    public StartRefusedException(String message) {
        super(message);
    }

    /** The cause is kept for an in-process caller; {@code java -jar} prints only the message. */
    public StartRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
