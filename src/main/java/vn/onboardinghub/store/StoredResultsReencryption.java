package vn.onboardinghub.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rewrites every stored result that is not under the first key of {@code hub.crypto.key} (an older key, or the
 * format without key ids) under the first key, so that the older keys can then be removed. Run by
 * {@code java -jar onboarding-hub.jar reencrypt}.
 * <p>
 * Safe beside running hubs: each row is rewritten by its own compare-and-set ({@code UPDATE ... WHERE result_json =
 * <the value read>}, committed alone), so a result a hub wrote meanwhile is never overwritten with an older one, and
 * no transaction holds more than one row's lock (nothing a hub's group commit could deadlock with). A row changed
 * meanwhile is read again and retried. Idempotent: rows already under the first key are left untouched.
 */
public class StoredResultsReencryption {
    /** Each column holding ciphertexts (NULL: nothing stored), and the columns naming a row of its table. */
    private record Target(String table, String column, List<String> keyColumns) {
        /** As the counts name it: the table, or table.column for a column other than result_json. */
        String name() {
            return column.equals("result_json") ? table : table + "." + column;
        }
    }

    private static final List<Target> TARGETS = List.of(
            new Target("onboarding", "result_json", List.of("onboarding_id")),
            // the whole request of an onboarding still PENDING (its secrets): erased once it is final
            new Target("onboarding", "pending_request", List.of("onboarding_id")),
            new Target("provider_success", "result_json", List.of("client_name", "external_id", "provider", "account_key")),
            // events of every channel (they hold the merchant link; a bus update the whole result), kept until delivered and after
            new Target("event_outbox", "payload", List.of("event_id")));

    private static final int ATTEMPTS_PER_ROW = 5;

    private final DataSource dataSource;
    private final ResultCipher cipher;
    private final int batchSize;

    /**
     * @param rewritten           rows now under the first key that were not
     * @param alreadyUnderFirstKey rows that needed nothing
     * @param unreadable          rows no key of {@code hub.crypto.key} decrypts: left as they are
     * @param changedMeanwhile    rows a hub kept rewriting under another key while this ran: left as they are
     */
    public record Counts(long rewritten, long alreadyUnderFirstKey, long unreadable, long changedMeanwhile) {
        Counts plus(Counts other) {
            return new Counts(rewritten + other.rewritten, alreadyUnderFirstKey + other.alreadyUnderFirstKey,
                    unreadable + other.unreadable, changedMeanwhile + other.changedMeanwhile);
        }

        /** Whether every row is now under the first key. */
        public boolean complete() {
            return unreadable == 0 && changedMeanwhile == 0;
        }
    }

    public StoredResultsReencryption(DataSource dataSource, ResultCipher cipher, int batchSize) {
        this.dataSource = dataSource;
        this.cipher = cipher;
        this.batchSize = batchSize;
    }

    /** Goes through every table once; the counts by table name ({@code table.column} for other columns). */
    public Map<String, Counts> run() throws SQLException {
        Map<String, Counts> counts = new LinkedHashMap<>();
        for (Target target : TARGETS) {
            if (exists(target)) {
                counts.put(target.name(), reencrypt(target));
            }
        }
        return counts;
    }

    /**
     * Whether the column is there: a database not yet migrated by this version (run before any hub of it started)
     * has no {@code onboarding.pending_request}, so nothing to rewrite in it.
     */
    private boolean exists(Target target) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement probe = c.prepareStatement("SELECT " + target.column() + " FROM " + target.table() + " WHERE 1 = 0")) {
            probe.executeQuery().close();
            return true;
        } catch (SQLException e) {
            // SQLSTATE class 42: no such table or column (H2 42S22/42122, PostgreSQL 42703)
            if (e.getSQLState() != null && e.getSQLState().startsWith("42")) {
                return false;
            }
            throw e;
        }
    }

    /** Reads the table in key order, one batch at a time (keyset pagination: no offset scans, no long read). */
    private Counts reencrypt(Target target) throws SQLException {
        List<String> keyColumns = target.keyColumns();
        String keys = String.join(", ", keyColumns);
        String selectStored = "SELECT " + keys + ", " + target.column() + " FROM " + target.table() + " WHERE "
                + target.column() + " IS NOT NULL";
        String firstPage = selectStored + " ORDER BY " + keys + " LIMIT " + batchSize;
        String nextPage = selectStored + " AND (" + keys + ") > (" + placeholders(keyColumns.size()) + ") ORDER BY " + keys
                + " LIMIT " + batchSize;
        Counts total = new Counts(0, 0, 0, 0);
        List<String> after = null;
        while (true) {
            List<Row> page = new ArrayList<>();
            try (Connection c = dataSource.getConnection();
                 PreparedStatement select = c.prepareStatement(after == null ? firstPage : nextPage)) {
                for (int i = 0; after != null && i < after.size(); i++) {
                    select.setString(i + 1, after.get(i));
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        List<String> key = new ArrayList<>();
                        for (int i = 1; i <= keyColumns.size(); i++) {
                            key.add(rs.getString(i));
                        }
                        page.add(new Row(key, rs.getString(keyColumns.size() + 1)));
                    }
                }
            }
            for (Row row : page) {
                total = total.plus(reencrypt(target, row));
            }
            if (page.size() < batchSize) {
                return total;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    private Counts reencrypt(Target target, Row row) throws SQLException {
        List<String> keyColumns = target.keyColumns();
        String where = String.join(" = ? AND ", keyColumns) + " = ?";
        String stored = row.resultJson();
        for (int attempt = 0; attempt < ATTEMPTS_PER_ROW; attempt++) {
            if (cipher.isUnderFirstKey(stored)) {
                return new Counts(0, 1, 0, 0);
            }
            String plaintext;
            try {
                plaintext = cipher.decrypt(stored);
            } catch (IllegalStateException noKeyFits) {
                return new Counts(0, 0, 1, 0);
            }
            try (Connection c = dataSource.getConnection();
                 PreparedStatement update = c.prepareStatement(
                         "UPDATE " + target.table() + " SET " + target.column() + " = ? WHERE " + where + " AND "
                                 + target.column() + " = ?")) {
                update.setString(1, cipher.encrypt(plaintext));
                for (int i = 0; i < keyColumns.size(); i++) {
                    update.setString(i + 2, row.key().get(i));
                }
                update.setString(keyColumns.size() + 2, stored);
                if (update.executeUpdate() == 1) {
                    return new Counts(1, 0, 0, 0);
                }
            }
            // a hub rewrote (or removed, or erased) the value since it was read: take its new value
            Optional<String> now = read(target, where, row.key());
            if (now.isEmpty()) {
                return new Counts(0, 0, 0, 0);
            }
            stored = now.get();
        }
        return new Counts(0, 0, 0, 1);
    }

    private Optional<String> read(Target target, String where, List<String> key) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT " + target.column() + " FROM " + target.table()
                     + " WHERE " + where)) {
            for (int i = 0; i < key.size(); i++) {
                select.setString(i + 1, key.get(i));
            }
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }

    private record Row(List<String> key, String resultJson) {
    }
}
