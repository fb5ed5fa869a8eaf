package vn.onboardinghub.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import vn.onboardinghub.model.OnboardingEvent;
import vn.onboardinghub.model.OnboardingResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The webhook outbox (table {@code webhook_delivery}): events written by {@link OnboardingStore#save} in the
 * transaction of the change they tell of, claimed for delivery by one instance at a time (on PostgreSQL
 * {@code SELECT … FOR UPDATE SKIP LOCKED}, then a lease in {@code locked_until} that another instance takes over once
 * it has passed), in order per onboarding: an event is due only once no earlier event of its onboarding is PENDING.
 */
public class WebhookStore {
    public enum State { PENDING, DELIVERED, FAILED }

    /** An event claimed for one delivery attempt: its body (decrypted) and how many attempts it had since it was queued. */
    public record Due(long seq, String eventId, String client, String onboardingId, String type, String payload,
                      int attempts, Instant queuedAt) {
    }

    /** One row of {@code GET /api/v1/webhooks/deliveries}. */
    public record Delivery(String eventId, String type, String onboardingId, State state, int attempts, Integer lastStatus,
                           String lastError, Instant nextAttemptAt, Instant createdAt, Instant lastAttemptAt,
                           Instant deliveredAt) {
    }

    private static final String DUE = "SELECT d.seq FROM webhook_delivery d WHERE d.state = 'PENDING'"
            + " AND d.next_attempt_at <= ? AND (d.locked_until IS NULL OR d.locked_until < ?)"
            + " AND NOT EXISTS (SELECT 1 FROM webhook_delivery e WHERE e.onboarding_id = d.onboarding_id"
            + " AND e.state = 'PENDING' AND e.seq < d.seq) ORDER BY d.seq";
    private static final int MAX_ERROR = 500;

    private final DataSource dataSource;
    private final ObjectMapper mapper;
    private final ResultCipher cipher;
    private volatile Boolean postgres;

    WebhookStore(DataSource dataSource, ObjectMapper mapper, ResultCipher cipher) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.cipher = cipher;
    }

    /**
     * Writes the event for storing {@code current} over {@code previous}, if there is one, on the caller's connection
     * (the transaction of the change). Returns its id, or null when there is nothing to tell.
     */
    String record(Connection c, OnboardingResult previous, OnboardingResult current) throws SQLException {
        var event = OnboardingEvent.of(previous, current);
        if (event.isEmpty()) {
            return null;
        }
        Instant now = Instant.now();
        String eventId = "evt_" + UUID.randomUUID().toString().replace("-", "");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", event.get().type());
        payload.put("timestamp", now.toString());
        payload.put("data", event.get().data());
        String body;
        try {
            body = mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO webhook_delivery (event_id, client_name,"
                + " onboarding_id, event_type, payload, state, attempts, created_at, queued_at, next_attempt_at)"
                + " VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?)")) {
            insert.setString(1, eventId);
            insert.setString(2, current.client());
            insert.setString(3, current.onboardingId());
            insert.setString(4, event.get().type());
            insert.setString(5, cipher.encrypt(body));
            insert.setTimestamp(6, Timestamp.from(now));
            insert.setTimestamp(7, Timestamp.from(now));
            insert.setTimestamp(8, Timestamp.from(now));
            insert.executeUpdate();
        }
        return eventId;
    }

    /**
     * Claims up to {@code limit} due events for {@code instance} until {@code now + lease}: one transaction, the rows
     * locked while it runs (PostgreSQL: skipping those another instance is claiming), each taken only if still
     * unclaimed (a compare-and-set on its lease, which is all H2, a single instance, needs).
     */
    public List<Due> claim(String instance, int limit, Duration lease) {
        return claim(instance, null, limit, lease);
    }

    /** {@link #claim(String, int, Duration)} of the events of {@code clients} only (null: every client's). */
    public List<Due> claim(String instance, java.util.Collection<String> clients, int limit, Duration lease) {
        if (clients != null && clients.isEmpty()) {
            return List.of();
        }
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Long> candidates = new ArrayList<>();
                String ofClients = clients == null ? "" : " AND d.client_name IN ("
                        + String.join(", ", java.util.Collections.nCopies(clients.size(), "?")) + ")";
                try (PreparedStatement select = c.prepareStatement(DUE.replace(" ORDER BY", ofClients + " ORDER BY")
                        + " LIMIT " + limit + (isPostgres(c) ? " FOR UPDATE SKIP LOCKED" : ""))) {
                    select.setTimestamp(1, Timestamp.from(now));
                    select.setTimestamp(2, Timestamp.from(now));
                    int parameter = 3;
                    for (String client : clients == null ? List.<String>of() : clients) {
                        select.setString(parameter++, client);
                    }
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            candidates.add(rs.getLong(1));
                        }
                    }
                }
                List<Due> claimed = new ArrayList<>();
                try (PreparedStatement take = c.prepareStatement("UPDATE webhook_delivery SET locked_until = ?, locked_by = ?"
                        + " WHERE seq = ? AND state = 'PENDING' AND (locked_until IS NULL OR locked_until < ?)");
                     PreparedStatement read = c.prepareStatement("SELECT event_id, client_name, onboarding_id, event_type,"
                             + " payload, attempts, queued_at FROM webhook_delivery WHERE seq = ?")) {
                    for (long seq : candidates) {
                        take.setTimestamp(1, Timestamp.from(now.plus(lease)));
                        take.setString(2, instance);
                        take.setLong(3, seq);
                        take.setTimestamp(4, Timestamp.from(now));
                        if (take.executeUpdate() != 1) {
                            continue;
                        }
                        read.setLong(1, seq);
                        try (ResultSet rs = read.executeQuery()) {
                            if (rs.next()) {
                                claimed.add(new Due(seq, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                        rs.getString(5), rs.getInt(6), rs.getTimestamp(7).toInstant()));
                            }
                        }
                    }
                }
                c.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot claim webhook deliveries", e);
        }
    }

    /** The body of a claimed event, decrypted. */
    public String body(Due due) {
        return cipher.decrypt(due.payload());
    }

    /** The attempt succeeded (a 2xx): DELIVERED. Only the instance holding the claim records it. */
    public void delivered(Due due, String instance, int status) {
        finish(due, instance, State.DELIVERED, status, null, null);
    }

    /** The attempt failed: tried again at {@code next}, or, {@code next} null, given up (FAILED). */
    public void failed(Due due, String instance, Integer status, String error, Instant next) {
        finish(due, instance, next == null ? State.FAILED : State.PENDING, status, error, next);
    }

    private void finish(Due due, String instance, State state, Integer status, String error, Instant next) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE webhook_delivery SET state = ?, attempts = attempts + 1,"
                     + " last_status = ?, last_error = ?, last_attempt_at = ?, next_attempt_at = ?, delivered_at = ?,"
                     + " locked_until = NULL, locked_by = NULL WHERE seq = ? AND locked_by = ?")) {
            update.setString(1, state.name());
            if (status == null) {
                update.setNull(2, java.sql.Types.INTEGER);
            } else {
                update.setInt(2, status);
            }
            update.setString(3, error == null ? null : error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error);
            update.setTimestamp(4, Timestamp.from(now));
            update.setTimestamp(5, Timestamp.from(next != null ? next : now));
            update.setTimestamp(6, state == State.DELIVERED ? Timestamp.from(now) : null);
            update.setLong(7, due.seq());
            update.setString(8, instance);
            update.executeUpdate();
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot record the delivery of webhook event " + due.eventId(), e);
        }
    }

    /** The client's latest deliveries, newest first, at most {@code limit}. */
    public List<Delivery> list(String client, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT event_id, event_type, onboarding_id, state, attempts,"
                     + " last_status, last_error, next_attempt_at, created_at, last_attempt_at, delivered_at FROM webhook_delivery"
                     + " WHERE client_name = ? ORDER BY seq DESC")) {
            select.setString(1, client);
            select.setMaxRows(limit);
            List<Delivery> deliveries = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    State state = State.valueOf(rs.getString(4));
                    int status = rs.getInt(6);
                    Integer lastStatus = rs.wasNull() ? null : status;
                    deliveries.add(new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), state, rs.getInt(5),
                            lastStatus, rs.getString(7),
                            state == State.PENDING ? instant(rs.getTimestamp(8)) : null, instant(rs.getTimestamp(9)),
                            instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11))));
                }
            }
            return deliveries;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot list webhook deliveries", e);
        }
    }

    /** Queues the client's event again (PENDING, due now, its attempts counted from 0); false when it has none by that id. */
    public boolean redeliver(String client, String eventId) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE webhook_delivery SET state = 'PENDING', attempts = 0,"
                     + " queued_at = ?, next_attempt_at = ?, delivered_at = NULL, locked_until = NULL, locked_by = NULL"
                     + " WHERE event_id = ? AND client_name = ?")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setTimestamp(2, Timestamp.from(now));
            update.setString(3, eventId);
            update.setString(4, client);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot queue webhook event " + eventId + " again", e);
        }
    }

    /** Forgets the DELIVERED and FAILED events created before {@code before}; the number forgotten. */
    public int purge(Instant before) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement(
                     "DELETE FROM webhook_delivery WHERE state <> 'PENDING' AND created_at < ?")) {
            delete.setTimestamp(1, Timestamp.from(before));
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot forget old webhook deliveries", e);
        }
    }

    private boolean isPostgres(Connection c) throws SQLException {
        if (postgres == null) {
            postgres = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
        }
        return postgres;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
