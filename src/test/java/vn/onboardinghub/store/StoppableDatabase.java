package vn.onboardinghub.store;

import org.h2.tools.Server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * The hub's database, of the test's own, to be made unavailable and available again, as a database server that went
 * away does: {@code h2}, an H2 server stopped (every connection broken, new ones refused) and started again; or
 * {@code postgresql}, a database created on the local PostgreSQL, whose connections are refused
 * ({@code ALLOW_CONNECTIONS false}) and the hub's sessions terminated, then allowed again (dropped at the end).
 */
public final class StoppableDatabase implements AutoCloseable {
    private final String kind;
    private final String url;
    private final String username;
    private Server server;
    private Path dir;
    private int port;
    private String name;

    public StoppableDatabase(String kind) throws Exception {
        this.kind = kind;
        if (kind.equals("h2")) {
            dir = Files.createTempDirectory("hub-db-server");
            server = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.toString(), "-ifNotExists").start();
            port = server.getPort();
            url = "jdbc:h2:tcp://localhost:" + port + "/hub";
            username = "sa";
        } else if (kind.equals("postgresql")) {
            name = "hub_outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            admin("CREATE DATABASE " + name);
            url = RestartTest.PG.substring(0, RestartTest.PG.lastIndexOf('/') + 1) + name;
            username = "postgres";
        } else {
            throw new IllegalArgumentException(kind);
        }
    }

    public StoppableDatabase() throws Exception {
        this("h2");
    }

    /**
     * The settings that point a hub at it, and make the hub notice at once that it went away and came back: a request
     * waits {@value #CONNECTION_TIMEOUT_MS} ms for a connection (not 5 s) and work waiting out the outage tries again at
     * least every {@value #MAX_BACKOFF_MS} ms (not 5 s). Only the dead time of an outage is shorter, not what the hub does.
     */
    public Map<String, String> hubSettings() {
        return Map.of("hub.db.url", url, "hub.db.username", username,
                "hub.db.connection-timeout-ms", CONNECTION_TIMEOUT_MS, "hub.outage.max-backoff-ms", MAX_BACKOFF_MS);
    }

    static final String CONNECTION_TIMEOUT_MS = "1000";
    static final String MAX_BACKOFF_MS = "500";

    /** The database goes away: connections broken, new ones refused. */
    public synchronized void stop() throws SQLException {
        if (server != null) {
            server.stop();
        } else {
            admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
        }
    }

    /** The database is back, with the same data. */
    public synchronized void start() throws SQLException {
        if (server != null) {
            if (!server.isRunning(false)) {
                server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-baseDir", dir.toString(), "-ifNotExists").start();
            }
        } else {
            admin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        if (server != null) {
            server.stop();
        } else {
            admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(RestartTest.PG, "postgres", ""); Statement statement = c.createStatement()) {
            statement.execute(sql);
        }
    }

    @Override
    public String toString() {
        return kind;
    }
}
