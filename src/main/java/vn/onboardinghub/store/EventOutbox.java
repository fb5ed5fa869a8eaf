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
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The outbox of every channel's events (table {@code event_outbox}): written by {@link OnboardingStore#save} in the
 * transaction of the change they tell of, claimed for delivery by one instance at a time (on PostgreSQL
 * {@code SELECT … FOR UPDATE SKIP LOCKED}, then a lease in {@code locked_until} that another instance takes over once
 * it has passed), in order per onboarding and channel: an event is due only once no earlier event of its onboarding
 * on its channel is PENDING. Channels: {@link Channel#WEBHOOK} (the client's webhook-url), {@link Channel#BUS} (a
 * bus-made onboarding's later changes, to its bus client's result queue), {@link Channel#FILE} (a batch record's later
 * changes, to its batch's updates file).
 */
public class EventOutbox {
    public enum State { PENDING, DELIVERED, FAILED }

    /** Where an event goes; its name is what the table holds. */
    public enum Channel {
        WEBHOOK, BUS, FILE;

        String stored() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * An event claimed for one delivery attempt: its body (decrypted), how many attempts it had since it was queued,
     * its destination (a bus request's correlation id, a batch id; null for a webhook), a bus request's durable
     * reply-to queue, and the trace it was made in.
     */
    public record Due(long seq, String eventId, String client, String onboardingId, String type, String payload,
                      int attempts, Instant queuedAt, String destination, String replyTo, String traceparent) {
    }

    /** One row of {@code GET /api/v1/webhooks/deliveries}. */
    public record Delivery(String eventId, String type, String onboardingId, State state, int attempts, Integer lastStatus,
                           String lastError, Instant nextAttemptAt, Instant createdAt, Instant lastAttemptAt,
                           Instant deliveredAt) {
    }

    /** The claimable events of a channel: due, unclaimed, and first of their onboarding's waiting on it. */
    private static final String DUE = " FROM event_outbox d WHERE d.state = 'PENDING' AND d.channel = ?"
            + " AND d.next_attempt_at <= ? AND (d.locked_until IS NULL OR d.locked_until < ?)"
            + " AND NOT EXISTS (SELECT 1 FROM event_outbox e WHERE e.onboarding_id = d.onboarding_id"
            + " AND e.channel = d.channel AND e.state = 'PENDING' AND e.seq < d.seq)";
    private static final int MAX_ERROR = 500;

    private final DataSource dataSource;
    private final ObjectMapper mapper;
    private final ResultCipher cipher;
    private volatile Boolean postgres;

    EventOutbox(DataSource dataSource, ObjectMapper mapper, ResultCipher cipher) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.cipher = cipher;
    }

    /**
     * Queues, on the caller's connection (the transaction of the change), what storing {@code current} over
     * {@code previous} tells, if anything: the event for the client's webhook ({@code webhook}), and a later change
     * ({@link OnboardingEvent#UPDATED}) for the bus or the batch the onboarding came from ({@code origin}). The bus
     * gets the whole result, as its first answer had it (the bus has no {@code GET}); a webhook and a batch's updates
     * file the event's thin data.
     */
    void record(Connection c, OnboardingResult previous, OnboardingResult current, boolean webhook,
                OnboardingStore.Origin origin, String traceparent) throws SQLException {
        if (!webhook && !origin.hearsUpdates()) {
            return;
        }
        var event = OnboardingEvent.of(previous, current);
        if (event.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        String type = event.get().type();
        if (webhook) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("type", type);
            payload.put("timestamp", now.toString());
            payload.put("data", event.get().data());
            insert(c, Channel.WEBHOOK, null, null, current, type, json(payload), traceparent, now);
        }
        if (type.equals(OnboardingEvent.UPDATED) && origin.busCorrelationId() != null) {
            insert(c, Channel.BUS, origin.busCorrelationId(), origin.busReplyTo(), current, type, json(current), traceparent, now);
        }
        if (type.equals(OnboardingEvent.UPDATED) && origin.batchId() != null) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("line", origin.batchLine());
            line.put("batchId", origin.batchId());
            line.put("type", type);
            line.put("timestamp", now.toString());
            line.putAll(event.get().data());
            insert(c, Channel.FILE, origin.batchId(), null, current, type, json(line), traceparent, now);
        }
    }

    private void insert(Connection c, Channel channel, String destination, String replyTo, OnboardingResult current,
                        String type, String body, String traceparent, Instant now) throws SQLException {
        String eventId = "evt_" + UUID.randomUUID().toString().replace("-", "");
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO event_outbox (event_id, client_name,"
                + " onboarding_id, event_type, payload, state, attempts, created_at, queued_at, next_attempt_at, channel,"
                + " destination, reply_to, traceparent) VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, eventId);
            insert.setString(2, current.client());
            insert.setString(3, current.onboardingId());
            insert.setString(4, type);
            insert.setString(5, cipher.encrypt(body));
            insert.setTimestamp(6, Timestamp.from(now));
            insert.setTimestamp(7, Timestamp.from(now));
            insert.setTimestamp(8, Timestamp.from(now));
            insert.setString(9, channel.stored());
            insert.setString(10, destination);
            insert.setString(11, replyTo);
            insert.setString(12, traceparent);
            insert.executeUpdate();
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Claims up to {@code limit} due events for {@code instance} until {@code now + lease}: one transaction, the rows
     * locked while it runs (PostgreSQL: skipping those another instance is claiming), each taken only if still
     * unclaimed (a compare-and-set on its lease, which is all H2, a single instance, needs).
     */
    public List<Due> claim(String instance, int limit, Duration lease) {
        return claim(instance, Channel.WEBHOOK, null, limit, lease);
    }

    /** {@link #claim(String, int, Duration)} of the {@code channel}'s events of {@code clients} only (null: every client's). */
    public List<Due> claim(String instance, Channel channel, java.util.Collection<String> clients, int limit, Duration lease) {
        if (limit <= 0 || clients != null && clients.isEmpty()) {
            return List.of();
        }
        String ofClients = ofClients(clients);
        return inTransaction("cannot claim events", (c, now) -> {
            List<Long> candidates = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT d.seq" + DUE + ofClients + " ORDER BY d.seq LIMIT " + limit
                    + (isPostgres(c) ? " FOR UPDATE SKIP LOCKED" : ""))) {
                int parameter = due(select, channel, now);
                setClients(select, parameter, clients);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(rs.getLong(1));
                    }
                }
            }
            return take(c, candidates, instance, lease, now);
        });
    }

    /**
     * How many claimable events each of {@code clients} (null: every client) has on {@code channel} now, for a relay
     * that shares its attempts fairly between clients before it claims ({@link #claim(String, Channel, Map, Duration)}).
     */
    public Map<String, Integer> dueByClient(Channel channel, java.util.Collection<String> clients) {
        if (clients != null && clients.isEmpty()) {
            return Map.of();
        }
        String ofClients = ofClients(clients);
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT d.client_name, COUNT(*)" + DUE + ofClients
                     + " GROUP BY d.client_name")) {
            int parameter = due(select, channel, Instant.now());
            setClients(select, parameter, clients);
            Map<String, Integer> due = new LinkedHashMap<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    due.put(rs.getString(1), rs.getInt(2));
                }
            }
            return due;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot look for due events", e);
        }
    }

    /** Claims, for each client of {@code shares}, up to that many of its due events on {@code channel}, oldest first. */
    public List<Due> claim(String instance, Channel channel, Map<String, Integer> shares, Duration lease) {
        if (shares.isEmpty()) {
            return List.of();
        }
        return inTransaction("cannot claim events", (c, now) -> {
            List<Long> candidates = new ArrayList<>();
            for (Map.Entry<String, Integer> share : shares.entrySet()) {
                try (PreparedStatement select = c.prepareStatement("SELECT d.seq" + DUE + " AND d.client_name = ? ORDER BY d.seq"
                        + " LIMIT " + share.getValue() + (isPostgres(c) ? " FOR UPDATE SKIP LOCKED" : ""))) {
                    select.setString(due(select, channel, now), share.getKey());
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            candidates.add(rs.getLong(1));
                        }
                    }
                }
            }
            return take(c, candidates, instance, lease, now);
        });
    }

    /** The condition naming {@code clients} (null: every client, no condition). */
    private static String ofClients(java.util.Collection<String> clients) {
        return clients == null ? "" : " AND d.client_name IN (" + String.join(", ", java.util.Collections.nCopies(clients.size(), "?")) + ")";
    }

    private static void setClients(PreparedStatement select, int from, java.util.Collection<String> clients) throws SQLException {
        int parameter = from;
        for (String client : clients == null ? List.<String>of() : clients) {
            select.setString(parameter++, client);
        }
    }

    /** Sets the parameters of {@link #DUE}; the index of the next one. */
    private static int due(PreparedStatement select, Channel channel, Instant now) throws SQLException {
        select.setString(1, channel.stored());
        select.setTimestamp(2, Timestamp.from(now));
        select.setTimestamp(3, Timestamp.from(now));
        return 4;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c, Instant now) throws SQLException;
    }

    /** One transaction (the rows it selects FOR UPDATE stay locked to its end), rolled back when it fails. */
    private <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c, Instant.now());
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase(what, e);
        }
    }

    /** Takes each candidate that is still unclaimed (a compare-and-set on its lease, all H2 needs) for {@code instance}. */
    private List<Due> take(Connection c, List<Long> candidates, String instance, Duration lease, Instant now) throws SQLException {
        List<Due> claimed = new ArrayList<>();
        try (PreparedStatement take = c.prepareStatement("UPDATE event_outbox SET locked_until = ?, locked_by = ?"
                + " WHERE seq = ? AND state = 'PENDING' AND (locked_until IS NULL OR locked_until < ?)");
             PreparedStatement read = c.prepareStatement("SELECT event_id, client_name, onboarding_id, event_type,"
                     + " payload, attempts, queued_at, destination, reply_to, traceparent FROM event_outbox WHERE seq = ?")) {
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
                                rs.getString(5), rs.getInt(6), rs.getTimestamp(7).toInstant(), rs.getString(8),
                                rs.getString(9), rs.getString(10)));
                    }
                }
            }
        }
        return claimed;
    }

    /**
     * Renews {@code instance}'s claim of the event right before an attempt, until {@code now + lease}: false when the
     * claim ran out meanwhile (it waited too long behind other attempts) or another instance holds it now, so the
     * attempt must not be made — whoever holds it makes it. This keeps one instance per event, not only per claim.
     */
    public boolean renew(Due due, String instance, Duration lease) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE event_outbox SET locked_until = ? WHERE seq = ?"
                     + " AND state = 'PENDING' AND locked_by = ? AND locked_until > ?")) {
            update.setTimestamp(1, Timestamp.from(now.plus(lease)));
            update.setLong(2, due.seq());
            update.setString(3, instance);
            update.setTimestamp(4, Timestamp.from(now));
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot renew the claim of event " + due.eventId(), e);
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
             PreparedStatement update = c.prepareStatement("UPDATE event_outbox SET state = ?, attempts = attempts + 1,"
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
            throw InfrastructureUnavailableException.ofDatabase("cannot record the delivery of event " + due.eventId(), e);
        }
    }

    /** The client's latest deliveries, newest first, at most {@code limit}. */
    public List<Delivery> list(String client, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT event_id, event_type, onboarding_id, state, attempts,"
                     + " last_status, last_error, next_attempt_at, created_at, last_attempt_at, delivered_at FROM event_outbox"
                     + " WHERE client_name = ? AND channel = 'webhook' ORDER BY seq DESC")) {
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
             // a claim in flight is left to its attempt (which then counts as the redelivery): never two attempts at once
             PreparedStatement update = c.prepareStatement("UPDATE event_outbox SET state = 'PENDING', attempts = 0,"
                     + " queued_at = ?, next_attempt_at = ?, delivered_at = NULL"
                     + " WHERE event_id = ? AND client_name = ? AND channel = 'webhook'")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setTimestamp(2, Timestamp.from(now));
            update.setString(3, eventId);
            update.setString(4, client);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot queue webhook event " + eventId + " again", e);
        }
    }

    /**
     * The bodies of the batch's queued later changes ({@link Channel#FILE}: the lines of its updates file), newest
     * first, at most {@code limit}; those the current keys cannot read are left out.
     */
    public List<String> ofBatch(String batchId, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT payload FROM event_outbox WHERE channel = 'file'"
                     + " AND destination = ? ORDER BY seq DESC")) {
            select.setString(1, batchId);
            select.setMaxRows(limit);
            List<String> bodies = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    try {
                        bodies.add(cipher.decrypt(rs.getString(1)));
                    } catch (RuntimeException unreadable) {
                        // under a key removed from hub.crypto.key: nothing to show
                    }
                }
            }
            return bodies;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot read the updates of batch " + batchId, e);
        }
    }

    /** Forgets the channel's DELIVERED and FAILED events created before {@code before}; the number forgotten. */
    public int purge(Channel channel, Instant before) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement(
                     "DELETE FROM event_outbox WHERE channel = ? AND state <> 'PENDING' AND created_at < ?")) {
            delete.setString(1, channel.stored());
            delete.setTimestamp(2, Timestamp.from(before));
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot forget old events", e);
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
