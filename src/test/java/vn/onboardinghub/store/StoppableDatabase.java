package vn.onboardinghub.store;

import org.h2.tools.Server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;

/**
 * The hub's database as an H2 server of the test's own, to be made unavailable and available again: stopping it
 * breaks every connection the hub holds and refuses new ones, as a database server that went away does.
 */
public final class StoppableDatabase implements AutoCloseable {
    private final Path dir;
    private Server server;
    private final int port;

    public StoppableDatabase() throws Exception {
        dir = Files.createTempDirectory("hub-db-server");
        server = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.toString(), "-ifNotExists").start();
        port = server.getPort();
    }

    /** The settings that point a hub at it. */
    public Map<String, String> hubSettings() {
        return Map.of("hub.db.url", "jdbc:h2:tcp://localhost:" + port + "/hub", "hub.db.username", "sa");
    }

    /** The database goes away: connections broken, new ones refused. */
    public synchronized void stop() {
        server.stop();
    }

    /** The database is back, on the same port with the same data. */
    public synchronized void start() throws SQLException {
        if (!server.isRunning(false)) {
            server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-baseDir", dir.toString(), "-ifNotExists").start();
        }
    }

    @Override
    public synchronized void close() {
        server.stop();
    }
}
