package vn.onboardinghub.store;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the embedded H2 file compact. The default URL has {@code WRITE_DELAY=0} (every commit written at once, so a
 * killed process loses none), and with it H2 stops its background thread, which is also what rewrites sparse chunks.
 * Without this, the file grows by tens of kB per onboarding and every commit gets slower as H2 searches an
 * ever larger file for free space. This does that rewrite once a second, as H2's own thread would.
 */
public final class H2Compaction extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(H2Compaction.class);
    /** Chunks less full than this (percent live data) are rewritten. */
    private static final int TARGET_FILL_RATE = 50;
    /** At most about this many bytes are rewritten per run, so a run stays short. */
    private static final int WRITE_PER_RUN = 16 << 20;

    private final CamelContext context;
    private final DataSource dataSource;
    private ScheduledExecutorService scheduler;

    public H2Compaction(CamelContext context, DataSource dataSource) {
        this.context = context;
        this.dataSource = dataSource;
    }

    /** Only an embedded H2 file database needs it (not PostgreSQL, not an in-memory or a remote H2 database). */
    public static boolean appliesTo(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:h2:mem:")
                && !jdbcUrl.startsWith("jdbc:h2:tcp:") && !jdbcUrl.startsWith("jdbc:h2:ssl:");
    }

    @Override
    protected void doStart() {
        scheduler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "h2-compaction");
        scheduler.scheduleWithFixedDelay(this::compact, 1, 1, TimeUnit.SECONDS);
    }

    void compact() {
        try (Connection c = dataSource.getConnection()) {
            MVStore store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
            store.compact(TARGET_FILL_RATE, WRITE_PER_RUN);
        } catch (Exception e) {
            // the next run tries again; a database that is down shows in the readiness check
            LOG.debug("H2 compaction skipped: {}", e.toString());
        }
    }

    @Override
    protected void doStop() {
        if (scheduler != null) {
            context.getExecutorServiceManager().shutdownNow(scheduler);
        }
    }
}
