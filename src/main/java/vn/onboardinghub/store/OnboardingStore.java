package vn.onboardinghub.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.flywaydb.core.Flyway;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.ops.Traces;

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
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;

/** Onboarding results (encrypted, they hold credentials) through JDBC: H2 embedded by default, PostgreSQL in production; schema by Flyway. */
public class OnboardingStore implements AutoCloseable {
    private final DataSource dataSource;
    private final ObjectMapper mapper;
    private final ResultCipher cipher;
    /** Claims and results of concurrent onboardings are committed together (see {@link GroupCommit}). */
    private final GroupCommit writes;
    private static final int MAX_ONBOARDINGS_PER_COMMIT = 256;
    /** The events of every channel, written by {@link #save}: webhooks for the clients {@link #eventClients} names. */
    private final EventOutbox outbox;
    private volatile Predicate<String> eventClients = client -> false;

    /** A store whose writer runs on a thread of its own (tools and tests: no Camel context to own the thread). */
    public OnboardingStore(DataSource dataSource, ObjectMapper mapper, ResultCipher cipher) {
        this(dataSource, mapper, cipher, new GroupCommit(dataSource, MAX_ONBOARDINGS_PER_COMMIT));
    }

    /** A store whose writer runs on {@code writerThread}, a single thread it keeps until {@link #close}. */
    public OnboardingStore(DataSource dataSource, ObjectMapper mapper, ResultCipher cipher, ExecutorService writerThread) {
        this(dataSource, mapper, cipher, new GroupCommit(dataSource, MAX_ONBOARDINGS_PER_COMMIT, writerThread));
    }

    private OnboardingStore(DataSource dataSource, ObjectMapper mapper, ResultCipher cipher, GroupCommit writes) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.cipher = cipher;
        this.writes = writes;
        this.outbox = new EventOutbox(dataSource, mapper, cipher);
    }

    /** The event outbox of this store's database. */
    public EventOutbox outbox() {
        return outbox;
    }

    /**
     * From now on, every change of a stored result of a client {@code clients} accepts writes its webhook event
     * ({@link vn.onboardinghub.model.OnboardingEvent}) to the outbox, in the transaction of the change.
     */
    public void sendEventsFor(Predicate<String> clients) {
        this.eventClients = clients;
    }

    /** The name of the thread that commits the writes (a Camel pool's name, or the thread's own). */
    public static final String WRITER_THREAD = GroupCommit.WRITER_THREAD;

    /** Commits the writes still waiting, then refuses new ones (before the data source is closed). */
    @Override
    public void close() {
        writes.close();
    }

    public void migrate() {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    public record Stored(OnboardingResult result, OnboardingRequest request) {
    }

    /**
     * Where an onboarding came from, as far as its later changes must go there too (stored when it is claimed): the
     * batch and line of a file record, the correlation id and durable reply-to queue (null: none) of a bus request.
     * {@link #NONE} for a REST onboarding.
     */
    public record Origin(String batchId, Long batchLine, String busCorrelationId, String busReplyTo) {
        public static final Origin NONE = new Origin(null, null, null, null);

        /** Whether its later changes go to a channel of their own (its batch's updates file, its bus client). */
        boolean hearsUpdates() {
            return batchId != null || busCorrelationId != null;
        }
    }

    /**
     * Records a new onboarding before any provider is called. When its client already used its {@code requestId}
     * (in this or another instance sharing the database), nothing is written and the earlier onboarding is returned.
     */
    public Optional<OnboardingResult> claim(OnboardingResult pending, OnboardingRequest request) {
        return claim(pending, request, Origin.NONE);
    }

    /** {@link #claim(OnboardingResult, OnboardingRequest)} of a batch record or bus request ({@code origin}). */
    public Optional<OnboardingResult> claim(OnboardingResult pending, OnboardingRequest request, Origin origin) {
        // one INSERT: the unique index on (client_name, request_id) decides, here or in another instance
        try {
            writes.run(c -> {
                insertOnboarding(c, pending, request, origin);
                return null;
            });
            return Optional.empty();
        } catch (SQLException e) {
            Optional<OnboardingResult> earlier = UNIQUE_VIOLATION.equals(e.getSQLState()) && pending.requestId() != null
                    ? findByRequestId(pending.client(), pending.requestId()) : Optional.empty();
            if (earlier.isPresent()) {
                return earlier;
            }
            throw InfrastructureUnavailableException.ofDatabase("cannot store onboarding " + pending.onboardingId(), e);
        }
    }

    /** The onboarding that {@code client} created with {@code requestId}; another client's is never found. */
    public Optional<OnboardingResult> findByRequestId(String client, String requestId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT result_json FROM onboarding WHERE client_name = ? AND request_id = ?")) {
            select.setString(1, client);
            select.setString(2, requestId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(result(rs.getString(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot look up requestId", e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot look up requestId", e);
        }
    }

    /**
     * Takes over an onboarding still PENDING whose last change is older than {@code olderThan}: its process stopped
     * before finishing it (e.g. killed). True when this caller now owns it; a compare-and-set on {@code updated_at},
     * so of several instances trying at once only one does.
     */
    public boolean takeOverPending(String onboardingId, Duration olderThan) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE onboarding SET updated_at = ?"
                     + " WHERE onboarding_id = ? AND status = 'PENDING' AND updated_at <= ?")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setString(2, onboardingId);
            update.setTimestamp(3, Timestamp.from(now.minus(olderThan)));
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot take over onboarding " + onboardingId, e);
        }
    }

    /**
     * Onboardings still PENDING whose last change is older than {@code olderThan} and whose request is kept (written
     * by this version or later), oldest first, at most {@code limit}: candidates for {@link #takeOverPending}.
     */
    public List<String> findAbandoned(Duration olderThan, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT onboarding_id FROM onboarding WHERE status = 'PENDING'"
                     + " AND updated_at <= ? AND pending_request IS NOT NULL ORDER BY updated_at")) {
            select.setTimestamp(1, Timestamp.from(Instant.now().minus(olderThan)));
            select.setMaxRows(limit);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot look up abandoned onboardings", e);
        }
    }

    /**
     * An onboarding still PENDING with the whole request it was started with, its secrets included (decrypted); empty
     * when it is final (its request then erased) or unknown.
     */
    public Optional<Stored> findPending(String onboardingId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT result_json, pending_request FROM onboarding"
                     + " WHERE onboarding_id = ? AND status = 'PENDING' AND pending_request IS NOT NULL")) {
            select.setString(1, onboardingId);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Stored(result(rs.getString(1)),
                        mapper.readValue(cipher.decrypt(rs.getString(2)), OnboardingRequest.class)));
            }
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot read onboarding " + onboardingId, e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read onboarding " + onboardingId, e);
        }
    }

    /**
     * The providers that already SUCCEEDED for this client's merchant with the same account inputs, with the result
     * (credentials) they gave then. {@code accountKeys}: provider → the key of the account inputs of this request.
     */
    public Map<String, ProviderResult> succeeded(String client, String externalId, Map<String, String> accountKeys) {
        Map<String, ProviderResult> found = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT provider, account_key, result_json FROM provider_success"
                     + " WHERE client_name = ? AND external_id = ?")) {
            select.setString(1, client);
            select.setString(2, externalId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String provider = rs.getString(1);
                    if (rs.getString(2).equals(accountKeys.get(provider))) {
                        found.put(provider, mapper.readValue(cipher.decrypt(rs.getString(3)), ProviderResult.class)
                                .withProvider(provider));
                    }
                }
            }
            return found;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot look up earlier results of merchant " + externalId, e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot look up earlier results of merchant " + externalId, e);
        }
    }

    /**
     * Stores the onboarding's result (inserting it when it was never claimed) and remembers each provider of
     * {@code accountKeys} (provider → key of its account inputs) that SUCCEEDED, all in one transaction, committed
     * with those of other onboardings finishing at the same time.
     */
    public void save(OnboardingResult result, OnboardingRequest request, Map<String, String> accountKeys) {
        String resultJson = cipher.encrypt(json(result));
        Map<ProviderResult, String> successes = new LinkedHashMap<>();
        result.results().values().stream()
                // attempts 0: reused from an earlier onboarding, already remembered
                .filter(r -> r.status() == ProviderResult.ProviderStatus.SUCCEEDED && r.attempts() > 0)
                .filter(r -> accountKeys.containsKey(r.provider()))
                .forEach(r -> successes.put(r, accountKeys.get(r.provider())));
        try {
            writeResult(result, request, resultJson, successes);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw InfrastructureUnavailableException.ofDatabase("cannot store onboarding " + result.onboardingId(), e);
            }
            // another instance remembered the same merchant's provider first: now the row is there
            try {
                writeResult(result, request, resultJson, successes);
            } catch (SQLException again) {
                throw InfrastructureUnavailableException.ofDatabase("cannot store onboarding " + result.onboardingId(), again);
            }
        }
    }

    private void writeResult(OnboardingResult result, OnboardingRequest request, String resultJson,
                             Map<ProviderResult, String> successes) throws SQLException {
        boolean webhook = result.client() != null && eventClients.test(result.client());
        // the trace this change is made in (read here: the writes run on the writer's thread)
        String traceparent = Traces.currentTraceparent();
        writes.run(c -> {
            // the result as stored until now (row locked to the end of the transaction): what the events tell is the change
            StoredRow previous = storedRow(c, result.onboardingId(), webhook);
            if (!updateOnboarding(c, result, resultJson)) {
                insertOnboarding(c, result, request, Origin.NONE);
            }
            outbox.record(c, previous.result(), result, webhook, previous.origin(), traceparent);
            for (Map.Entry<ProviderResult, String> success : successes.entrySet()) {
                rememberSuccess(c, result, success.getKey(), success.getValue());
            }
            return null;
        });
    }

    /**
     * The first success of a provider for a client's merchant and account inputs is kept: a row already there (an
     * earlier or a concurrent onboarding) is left as it is. INSERT ... WHERE NOT EXISTS, so that only a race with
     * another instance ends in a unique violation (which undoes this onboarding's writes, and {@link #save} tries again).
     */
    private void rememberSuccess(Connection c, OnboardingResult result, ProviderResult success, String accountKey)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO provider_success (client_name, external_id,"
                + " provider, account_key, onboarding_id, result_json, created_at) SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS"
                + " (SELECT 1 FROM provider_success WHERE client_name = ? AND external_id = ? AND provider = ?"
                + " AND account_key = ?)")) {
            insert.setString(1, result.client());
            insert.setString(2, result.externalId());
            insert.setString(3, success.provider());
            insert.setString(4, accountKey);
            insert.setString(5, result.onboardingId());
            insert.setString(6, cipher.encrypt(json(success)));
            insert.setTimestamp(7, Timestamp.from(Instant.now()));
            insert.setString(8, result.client());
            insert.setString(9, result.externalId());
            insert.setString(10, success.provider());
            insert.setString(11, accountKey);
            insert.executeUpdate();
        }
    }

    /**
     * Marks a provider callback's state as used: true the first time, false when it was used before (here or in
     * another instance). Used states older than {@code forgetAfter} (past their expiry) are forgotten.
     */
    public boolean useCallbackState(String stateHash, Duration forgetAfter) {
        Instant now = Instant.now();
        try {
            return writes.run(c -> {
                try (PreparedStatement forget = c.prepareStatement("DELETE FROM used_callback_state WHERE used_at < ?");
                     PreparedStatement insert = c.prepareStatement(
                             "INSERT INTO used_callback_state (state_hash, used_at) VALUES (?, ?)")) {
                    forget.setTimestamp(1, Timestamp.from(now.minus(forgetAfter)));
                    forget.executeUpdate();
                    insert.setString(1, stateHash);
                    insert.setTimestamp(2, Timestamp.from(now));
                    insert.executeUpdate();
                    return true;
                }
            });
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw InfrastructureUnavailableException.ofDatabase("cannot record a used callback state", e);
        }
    }

    /** An onboarding's row as stored until now: its result (null: none yet, or no channel hears of it) and origin. */
    private record StoredRow(OnboardingResult result, Origin origin) {
    }

    /** The row, its result decrypted only when a channel hears of its changes (a webhook, its bus request or batch). */
    private StoredRow storedRow(Connection c, String onboardingId, boolean webhook) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT result_json, batch_id, batch_line, bus_correlation_id,"
                + " bus_reply_to FROM onboarding WHERE onboarding_id = ? FOR UPDATE")) {
            select.setString(1, onboardingId);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return new StoredRow(null, Origin.NONE);
                }
                long line = rs.getLong(3);
                Origin origin = new Origin(rs.getString(2), rs.wasNull() ? null : line, rs.getString(4), rs.getString(5));
                return new StoredRow(webhook || origin.hearsUpdates() ? result(rs.getString(1)) : null, origin);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read onboarding " + onboardingId, e);
        }
    }

    /** SQLSTATE of a unique key violation, in H2 and PostgreSQL alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    /** A result stored here is final: the request kept to finish it (with its secrets) is erased by the same write. */
    private static boolean updateOnboarding(Connection c, OnboardingResult result, String resultJson) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE onboarding SET status = ?, result_json = ?,"
                + " pending_request = NULL, updated_at = ?, waits_for_merchant = ? WHERE onboarding_id = ?")) {
            update.setString(1, result.status().name());
            update.setString(2, resultJson);
            update.setTimestamp(3, Timestamp.from(Instant.now()));
            update.setBoolean(4, result.waitsForMerchant());
            update.setString(5, result.onboardingId());
            return update.executeUpdate() > 0;
        }
    }

    private void insertOnboarding(Connection c, OnboardingResult result, OnboardingRequest request, Origin origin)
            throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO onboarding (onboarding_id, request_id, external_id,"
                + " client_name, status, result_json, request_json, pending_request, created_at, updated_at, waits_for_merchant,"
                + " batch_id, batch_line, bus_correlation_id, bus_reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, result.onboardingId());
            insert.setString(2, result.requestId());
            insert.setString(3, result.externalId());
            insert.setString(4, result.client());
            insert.setString(5, result.status().name());
            insert.setString(6, cipher.encrypt(json(result)));
            insert.setString(7, json(request.withoutSecrets()));
            // while PENDING, the whole request (encrypted): what another instance needs to finish it (findAbandoned)
            insert.setString(8, result.status() == OnboardingResult.Status.PENDING ? cipher.encrypt(json(request)) : null);
            insert.setTimestamp(9, now);
            insert.setTimestamp(10, now);
            insert.setBoolean(11, result.waitsForMerchant());
            insert.setString(12, origin.batchId());
            if (origin.batchLine() == null) {
                insert.setNull(13, java.sql.Types.BIGINT);
            } else {
                insert.setLong(13, origin.batchLine());
            }
            insert.setString(14, origin.busCorrelationId());
            insert.setString(15, origin.busReplyTo());
            insert.executeUpdate();
        }
    }

    public Optional<Stored> find(String onboardingId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT result_json, request_json FROM onboarding WHERE onboarding_id = ?")) {
            select.setString(1, onboardingId);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Stored(result(rs.getString(1)),
                        mapper.readValue(rs.getString(2), OnboardingRequest.class)));
            }
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot read onboarding " + onboardingId, e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read onboarding " + onboardingId, e);
        }
    }

    private OnboardingResult result(String stored) throws JsonProcessingException {
        return mapper.readValue(cipher.decrypt(stored), OnboardingResult.class);
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
