package vn.onboardinghub.store;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What counts as an outage of the hub's database, and what waiting one out does. */
class InfrastructureUnavailableExceptionTest {

    @Test
    void databaseThatCannotBeReachedIsAnOutageAndAStatementsOwnErrorIsNot() {
        // no connection within the pool's timeout (HikariCP), PostgreSQL connection failure, terminated session,
        // database shutting down or not accepting connections yet, H2's broken connection
        for (SQLException outage : new SQLException[] {
                new SQLTransientConnectionException("hub-db - Connection is not available, request timed out after 5000ms"),
                new SQLException("An I/O error occurred while sending to the backend.", "08006"),
                new SQLException("terminating connection due to administrator command", "57P01"),
                new SQLException("the database system is starting up", "57P03"),
                new SQLException("Connection is broken", "90067")}) {
            assertThat(InfrastructureUnavailableException.isOutage(new IllegalStateException("wrapped", outage)))
                    .as(outage.getMessage()).isTrue();
            assertThat(InfrastructureUnavailableException.ofDatabase("cannot store onboarding 1", outage))
                    .isInstanceOf(InfrastructureUnavailableException.class);
        }
        // a requestId already taken, a statement the database refuses: errors of that request, not outages
        for (SQLException own : new SQLException[] {new SQLException("duplicate key", "23505"),
                new SQLException("syntax error", "42601"), new SQLException("no state")}) {
            assertThat(InfrastructureUnavailableException.isOutage(own)).as(own.getMessage()).isFalse();
            assertThat(InfrastructureUnavailableException.ofDatabase("cannot store onboarding 1", own))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void outageIsWaitedOutAndAnythingElseIsNot() {
        OutageWait wait = new OutageWait(Duration.ofSeconds(30));
        AtomicInteger tries = new AtomicInteger();
        String result = wait.until("claim", () -> {
            if (tries.incrementAndGet() < 3) {
                throw InfrastructureUnavailableException.ofDatabase("claim", new SQLException("refused", "08001"));
            }
            return "stored";
        });
        assertThat(result).isEqualTo("stored");
        assertThat(tries).hasValue(3);
        assertThat(wait.current()).isEmpty();

        AtomicInteger once = new AtomicInteger();
        assertThatThrownBy(() -> wait.until("claim", () -> {
            once.incrementAndGet();
            throw new IllegalStateException("a bug");
        })).hasMessage("a bug");
        assertThat(once).hasValue(1);

        OutageWait none = new OutageWait(Duration.ZERO);
        assertThatThrownBy(() -> none.until("claim", () -> {
            throw InfrastructureUnavailableException.ofDatabase("claim", new SQLException("refused", "08001"));
        })).isInstanceOf(InfrastructureUnavailableException.class);
    }
}
