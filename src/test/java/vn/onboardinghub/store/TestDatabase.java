package vn.onboardinghub.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.UUID;

/** A data source on an empty database for a store test: an H2 file, or a fresh schema of the PostgreSQL on 127.0.0.1. */
final class TestDatabase {
    interface Check {
        void run(HikariDataSource dataSource) throws Exception;
    }

    private TestDatabase() {
    }

    /** {@code database}: {@code h2} or {@code postgresql}; the PostgreSQL schema is dropped afterwards. */
    static void with(String database, int poolSize, Check check) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setMaximumPoolSize(poolSize);
        String schema = null;
        if (database.equals("h2")) {
            config.setJdbcUrl("jdbc:h2:file:" + Files.createTempDirectory("hub-store").resolve("hub") + ";WRITE_DELAY=0");
        } else {
            schema = "hub_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection(RestartTest.PG, "postgres", "")) {
                c.createStatement().execute("CREATE SCHEMA " + schema);
            }
            config.setJdbcUrl(RestartTest.PG + "?currentSchema=" + schema);
            config.setUsername("postgres");
        }
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            check.run(dataSource);
        } finally {
            if (schema != null) {
                try (Connection c = DriverManager.getConnection(RestartTest.PG, "postgres", "")) {
                    c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
                }
            }
        }
    }
}
