package vn.onboardinghub.channels.file;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The owner of the inbox gives it up: it stops its file route (its {@code master:} consumer releases the lock in
 * {@code hub.file.leader-dir}, so another instance sharing the inbox becomes the owner and resumes the batch), and
 * starts it again after {@code hub.file.takeover-after-seconds}, when it becomes the owner again only if no other
 * instance did (alone, it takes the inbox back and resumes the batch itself).
 */
final class InboxRelease {
    static final String ROUTE = "intake-file";
    /** How long a batch's records may take to finish when the route stops before they are left behind. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(InboxRelease.class);

    private final CamelContext context;
    private final Duration comeBackAfter;
    private final AtomicBoolean releasing = new AtomicBoolean();
    /** A thread of Camel's (stopped with the context): the batch's own thread may be the one asking. */
    private final ScheduledExecutorService releases;

    InboxRelease(CamelContext context, Duration comeBackAfter) {
        this.context = context;
        this.comeBackAfter = comeBackAfter;
        this.releases = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "file-drop-inbox-release");
    }

    /** Gives the inbox up now, then competes for it again after {@code comeBackAfter}. */
    void release(String why, Runnable beforeComingBack) {
        // a hub stopping releases the inbox anyway, and its routes must not be started again
        if (!context.getStatus().isStarted() || !releasing.compareAndSet(false, true)) {
            return;
        }
        releases.execute(() -> {
            try {
                LOG.warn("giving up the inbox ({}): another instance may take it now; this one competes for it again"
                        + " in {} s", why, comeBackAfter.toSeconds());
                context.getRouteController().stopRoute(ROUTE, STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.error("the inbox could not be given up", e);
            }
            releases.schedule(() -> comeBack(beforeComingBack), comeBackAfter.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    private void comeBack(Runnable beforeComingBack) {
        try {
            beforeComingBack.run();
            if (context.getStatus().isStarted()) {
                context.getRouteController().startRoute(ROUTE);
            }
        } catch (Exception e) {
            LOG.error("the inbox could not be taken again", e);
        } finally {
            releasing.set(false);
        }
    }
}
