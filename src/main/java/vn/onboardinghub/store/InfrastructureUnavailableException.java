package vn.onboardinghub.store;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Something the hub depends on (its database, the outbox's storage) is unavailable for now: a passing fault of the
 * hub's own infrastructure, never the fault of the request or record being processed. Whoever meets it waits and
 * tries again ({@link OutageWait}), or answers "try again later" (REST 503); it is never written as a record's or an
 * onboarding's failure. The one place where faults are told apart: {@link #isOutage(Throwable)}.
 */
public class InfrastructureUnavailableException extends RuntimeException {
    /** What is unavailable, in plain words for logs, readiness and replies: "the database", "the outbox". */
    private final String what;

    public InfrastructureUnavailableException(String what, String message, Throwable cause) {
        super(message, cause);
        this.what = what;
    }

    public String what() {
        return what;
    }

    /**
     * SQLSTATEs of a database that cannot be reached or went away: PostgreSQL's admin shutdown, crash shutdown and
     * "cannot connect now" (class 08, connection exceptions, is checked by its prefix); H2's broken connection and
     * database closed or shutting down (its server stopped, say).
     */
    private static final Set<String> OUTAGE_STATES = Set.of("57P01", "57P02", "57P03", "90067", "90098", "90121");

    /**
     * True for a database that cannot be reached (no connection within the pool's timeout, a connection broken or
     * refused, the server shutting down) anywhere in the causes; false for anything the statement itself caused.
     */
    public static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InfrastructureUnavailableException
                    || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || OUTAGE_STATES.contains(sql.getSQLState()))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** A database failure as the store throws it: unavailable when it is an outage, else an internal error. */
    static RuntimeException ofDatabase(String message, SQLException e) {
        return isOutage(e) ? new InfrastructureUnavailableException("the database", message + ": the database is unavailable", e)
                : new IllegalStateException(message, e);
    }

    /** The outbox (results, summary) cannot be written, e.g. its disk is full. */
    public static InfrastructureUnavailableException ofOutbox(IOException e) {
        return new InfrastructureUnavailableException("the outbox", "the outbox cannot be written", e);
    }
}
