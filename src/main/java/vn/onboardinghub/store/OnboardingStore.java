package vn.onboardinghub.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.flywaydb.core.Flyway;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** Onboarding results (encrypted, they hold credentials) through JDBC: H2 embedded by default, PostgreSQL in production; schema by Flyway. */
public class OnboardingStore {
    private final DataSource dataSource;
    private final ObjectMapper mapper;
    private final ResultCipher cipher;

    public OnboardingStore(DataSource dataSource, ObjectMapper mapper, ResultCipher cipher) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.cipher = cipher;
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
        if (pending.requestId() != null) {
            Optional<OnboardingResult> earlier = findByRequestId(pending.requestId());
            if (earlier.isPresent()) {
                return earlier;
            }
        }
        try {
            save(pending, request);
            return Optional.empty();
        } catch (IllegalStateException e) {
            // a concurrent claim of the same requestId won the unique index
            Optional<OnboardingResult> winner = pending.requestId() == null ? Optional.empty() : findByRequestId(pending.requestId());
            if (winner.isPresent()) {
                return winner;
            }
            throw e;
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

    /** Inserts the onboarding, or replaces its result when it is already stored (e.g. PENDING → final). */
    public void save(OnboardingResult result, OnboardingRequest request) {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE onboarding SET status = ?, result_json = ?, updated_at = ? WHERE onboarding_id = ?")) {
                update.setString(1, result.status().name());
                update.setString(2, cipher.encrypt(json(result)));
                update.setTimestamp(3, now);
                update.setString(4, result.onboardingId());
                if (update.executeUpdate() > 0) {
                    return;
                }
            }
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
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store onboarding " + result.onboardingId(), e);
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
