package vn.onboardinghub.store;

import com.zaxxer.hikari.SQLExceptionOverride;

import java.sql.SQLException;

/**
 * Tells the connection pool to drop a connection whose failure is an outage ({@link InfrastructureUnavailableException#isOutage}).
 * The pool recognises PostgreSQL's broken connections by itself but not H2's (e.g. 90067, its server restarted): such
 * a connection went back to the pool and, used again within the pool's half second without a check, failed every
 * request after the database was back.
 */
public class BrokenConnectionEviction implements SQLExceptionOverride {
    @java.lang.Override
    public Override adjudicate(SQLException e) {
        return InfrastructureUnavailableException.isOutage(e) ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
    }
}
