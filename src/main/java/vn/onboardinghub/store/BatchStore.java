package vn.onboardinghub.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.UUID;

/**
 * Dropped files and how far each got (docs/contract.md "REST API", {@code GET /api/v1/batches} and
 * {@code GET /api/v1/batches/{batchId}}). A file found again while its batch
 * is still RUNNING — the hub stopped in the middle — is the same batch: it resumes under the same id, so its
 * records keep their requestIds and those already onboarded are not onboarded again.
 */
public class BatchStore {
    public enum Status { RUNNING, COMPLETED, FAILED }

    /** One batch as {@code GET /api/v1/batches} shows it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Batch(String batchId, String file, Status status, Long total, long processed,
                        String startedAt, String finishedAt) {
        public Batch withProcessed(long done) {
            return new Batch(batchId, file, status, total, done, startedAt, finishedAt);
        }
    }

    /**
     * One batch as {@code GET /api/v1/batches/{batchId}} shows it: with its onboardings counted by overall status
     * (every status key present), those waiting for the merchant, and the latest later changes of its records (the
     * lines of its updates file, newest first).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"batchId", "file", "status", "total", "processed", "startedAt", "finishedAt", "counts",
            "waitingForMerchant", "updates"})
    public record Details(String batchId, String file, Status status, Long total, long processed, String startedAt,
                          String finishedAt, Map<String, Long> counts, long waitingForMerchant, List<?> updates) {
        public Details withUpdates(List<?> latest) {
            return new Details(batchId, file, status, total, processed, startedAt, finishedAt, counts, waitingForMerchant, latest);
        }
    }

    /** The overall statuses a batch's counts show, in this order (an onboarding still PENDING is in none). */
    private static final List<String> COUNTED = List.of("SUCCEEDED", "PARTIAL", "ACTION_REQUIRED", "FAILED");

    /** A batch being started: new, or resumed after the hub stopped in its middle. */
    public record Started(String batchId, boolean resumed) {
    }

    private final DataSource dataSource;

    public BatchStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The RUNNING batch of the same file name and content, resumed; else a new batch. */
    public synchronized Started begin(String fileName, String contentSha256) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement select = c.prepareStatement("SELECT batch_id FROM batch"
                    + " WHERE file_name = ? AND content_sha256 = ? AND status = 'RUNNING' ORDER BY started_at DESC")) {
                select.setString(1, fileName);
                select.setString(2, contentSha256);
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        return new Started(rs.getString(1), true);
                    }
                }
            }
            String id = UUID.randomUUID().toString();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO batch (batch_id, file_name, content_sha256,"
                    + " status, processed, started_at) VALUES (?, ?, ?, 'RUNNING', 0, ?)")) {
                insert.setString(1, id);
                insert.setString(2, fileName);
                insert.setString(3, contentSha256);
                insert.setTimestamp(4, Timestamp.from(Instant.now()));
                insert.executeUpdate();
            }
            return new Started(id, false);
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot record batch " + fileName, e);
        }
    }

    public void counted(String batchId, long total) {
        update("UPDATE batch SET total = ? WHERE batch_id = ?", total, batchId);
    }

    public void progress(String batchId, long processed) {
        update("UPDATE batch SET processed = ? WHERE batch_id = ?", processed, batchId);
    }

    public void finish(String batchId, Status status, long processed) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement(
                     "UPDATE batch SET status = ?, processed = ?, finished_at = ? WHERE batch_id = ?")) {
            update.setString(1, status.name());
            update.setLong(2, processed);
            update.setTimestamp(3, Timestamp.from(Instant.now()));
            update.setString(4, batchId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot finish batch " + batchId, e);
        }
    }

    /** The latest batches, newest first. */
    public List<Batch> recent(int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM batch ORDER BY started_at DESC")) {
            select.setMaxRows(limit);
            List<Batch> batches = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    batches.add(batch(rs));
                }
            }
            return batches;
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot list batches", e);
        }
    }

    /**
     * The batch with its onboardings counted now, from what is stored (each record's onboarding carries its batch's
     * id, a resumed batch's included); {@code processed} as {@code live} gives it (the stored count lags while it runs).
     */
    public Details details(String batchId, UnaryOperator<Batch> live) {
        try (Connection c = dataSource.getConnection()) {
            Batch batch;
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM batch WHERE batch_id = ?")) {
                select.setString(1, batchId);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        throw new BatchNotFoundException(batchId);
                    }
                    batch = live.apply(batch(rs));
                }
            }
            Map<String, Long> counts = new LinkedHashMap<>();
            COUNTED.forEach(s -> counts.put(s, 0L));
            long waiting = 0;
            try (PreparedStatement count = c.prepareStatement("SELECT status, COUNT(*),"
                    + " SUM(CASE WHEN waits_for_merchant THEN 1 ELSE 0 END) FROM onboarding WHERE batch_id = ? GROUP BY status")) {
                count.setString(1, batchId);
                try (ResultSet rs = count.executeQuery()) {
                    while (rs.next()) {
                        long n = rs.getLong(2);
                        counts.computeIfPresent(rs.getString(1), (s, before) -> before + n);
                        waiting += rs.getLong(3);
                    }
                }
            }
            return new Details(batch.batchId(), batch.file(), batch.status(), batch.total(), batch.processed(),
                    batch.startedAt(), batch.finishedAt(), counts, waiting, List.of());
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot read batch " + batchId, e);
        }
    }

    private static final String COLUMNS = "batch_id, file_name, status, total, processed, started_at, finished_at";

    private static Batch batch(ResultSet rs) throws SQLException {
        long total = rs.getLong(4);
        Long counted = rs.wasNull() ? null : total;
        Timestamp finished = rs.getTimestamp(7);
        return new Batch(rs.getString(1), rs.getString(2), Status.valueOf(rs.getString(3)), counted, rs.getLong(5),
                rs.getTimestamp(6).toInstant().toString(), finished == null ? null : finished.toInstant().toString());
    }

    private void update(String sql, long value, String batchId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(sql)) {
            update.setLong(1, value);
            update.setString(2, batchId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw InfrastructureUnavailableException.ofDatabase("cannot update batch " + batchId, e);
        }
    }
}
