package vn.onboardinghub.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.flywaydb.core.Flyway;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Onboarding results (encrypted, they hold credentials) through JDBC: H2 embedded by default, PostgreSQL in production; schema by Flyway. */
public class OnboardingStore implements AutoCloseable {
    private final DataSource dataSource;
    private final ObjectMapper mapper;
    private final ResultCipher cipher;
    /** Claims and results of concurrent onboardings are committed together (see {@link GroupCommit}). */
    private final GroupCommit writes;
    private static final int MAX_ONBOARDINGS_PER_COMMIT = 256;

    public OnboardingStore(DataSource dataSource, ObjectMapper mapper, ResultCipher cipher) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.cipher = cipher;
        this.writes = new GroupCommit(dataSource, MAX_ONBOARDINGS_PER_COMMIT);
    }

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
     * Records a new onboarding before any provider is called. When its {@code requestId} was seen before (by this or
     * another instance sharing the database), nothing is written and the earlier onboarding is returned instead.
     */
    public Optional<OnboardingResult> claim(OnboardingResult pending, OnboardingRequest request) {
        // one INSERT: the unique index on request_id decides, here or in another instance
        try {
            writes.run(c -> {
                insertOnboarding(c, pending, request);
                return null;
            });
            return Optional.empty();
        } catch (SQLException e) {
            Optional<OnboardingResult> earlier = UNIQUE_VIOLATION.equals(e.getSQLState()) && pending.requestId() != null
                    ? findByRequestId(pending.requestId()) : Optional.empty();
            if (earlier.isPresent()) {
                return earlier;
            }
            throw new IllegalStateException("cannot store onboarding " + pending.onboardingId(), e);
        }
    }

    public Optional<OnboardingResult> findByRequestId(String requestId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT result_json FROM onboarding WHERE request_id = ?")) {
            select.setString(1, requestId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(result(rs.getString(1))) : Optional.empty();
            }
        } catch (SQLException | JsonProcessingException e) {
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
            throw new IllegalStateException("cannot take over onboarding " + onboardingId, e);
        }
    }

    /** The providers that already SUCCEEDED for this merchant, with the result (credentials) they gave then. */
    public Map<String, ProviderResult> succeeded(String externalId) {
        Map<String, ProviderResult> found = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT provider, result_json FROM provider_success WHERE external_id = ?")) {
            select.setString(1, externalId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), mapper.readValue(cipher.decrypt(rs.getString(2)), ProviderResult.class)
                            .withProvider(rs.getString(1)));
                }
            }
            return found;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot look up earlier results of merchant " + externalId, e);
        }
    }

    /**
     * Stores the onboarding's result (inserting it when it was never claimed) and remembers each provider that
     * SUCCEEDED, all in one transaction, committed with those of other onboardings finishing at the same time.
     */
    public void save(OnboardingResult result, OnboardingRequest request) {
        String resultJson = cipher.encrypt(json(result));
        List<ProviderResult> successes = result.results().values().stream()
                // attempts 0: reused from an earlier onboarding, already remembered
                .filter(r -> r.status() == ProviderResult.ProviderStatus.SUCCEEDED && r.attempts() > 0).toList();
        try {
            writeResult(result, request, resultJson, successes);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new IllegalStateException("cannot store onboarding " + result.onboardingId(), e);
            }
            // another instance remembered the same merchant's provider first: now the row is there
            try {
                writeResult(result, request, resultJson, successes);
            } catch (SQLException again) {
                throw new IllegalStateException("cannot store onboarding " + result.onboardingId(), again);
            }
        }
    }

    private void writeResult(OnboardingResult result, OnboardingRequest request, String resultJson,
                             List<ProviderResult> successes) throws SQLException {
        writes.run(c -> {
            if (!updateOnboarding(c, result, resultJson)) {
                insertOnboarding(c, result, request);
            }
            for (ProviderResult success : successes) {
                rememberSuccess(c, result, success);
            }
            return null;
        });
    }

    /**
     * The first success of a provider for a merchant is kept: a row already there (an earlier or a concurrent
     * onboarding of the merchant) is left as it is. INSERT ... WHERE NOT EXISTS, so that only a race with another
     * instance ends in a unique violation (which undoes this onboarding's writes, and {@link #save} tries again).
     */
    private void rememberSuccess(Connection c, OnboardingResult result, ProviderResult success) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO provider_success (external_id, provider,"
                + " onboarding_id, result_json, created_at) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS"
                + " (SELECT 1 FROM provider_success WHERE external_id = ? AND provider = ?)")) {
            insert.setString(1, result.externalId());
            insert.setString(2, success.provider());
            insert.setString(3, result.onboardingId());
            insert.setString(4, cipher.encrypt(json(success)));
            insert.setTimestamp(5, Timestamp.from(Instant.now()));
            insert.setString(6, result.externalId());
            insert.setString(7, success.provider());
            insert.executeUpdate();
        }
    }

    /** SQLSTATE of a unique key violation, in H2 and PostgreSQL alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    private static boolean updateOnboarding(Connection c, OnboardingResult result, String resultJson) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE onboarding SET status = ?, result_json = ?, updated_at = ? WHERE onboarding_id = ?")) {
            update.setString(1, result.status().name());
            update.setString(2, resultJson);
            update.setTimestamp(3, Timestamp.from(Instant.now()));
            update.setString(4, result.onboardingId());
            return update.executeUpdate() > 0;
        }
    }

    private void insertOnboarding(Connection c, OnboardingResult result, OnboardingRequest request) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO onboarding (onboarding_id, request_id, external_id,"
                + " status, result_json, request_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, result.onboardingId());
            insert.setString(2, result.requestId());
            insert.setString(3, result.externalId());
            insert.setString(4, result.status().name());
            insert.setString(5, cipher.encrypt(json(result)));
            insert.setString(6, json(request.withoutSecrets()));
            insert.setTimestamp(7, now);
            insert.setTimestamp(8, now);
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
        } catch (SQLException | JsonProcessingException e) {
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
