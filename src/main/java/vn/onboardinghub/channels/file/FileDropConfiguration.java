package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.cluster.FileLockClusterService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.Settings;
import vn.onboardinghub.ops.HubMetrics;
import vn.onboardinghub.ops.Traces;
import vn.onboardinghub.store.OnboardingStore;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.store.BatchStore;
import vn.onboardinghub.store.OutageWait;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Binds the file-drop channel's beans for {@code routes/intake-file.camel.yaml}: {@code fileBatches},
 * {@code inboxFilter} and {@code fileRecordPool}; its readiness check {@code fileDropReadiness}; and the cluster service
 * (a {@link FileLockClusterService}) that makes one instance the inbox's owner for the route's {@code master:} endpoint. Reads
 * {@code hub.file.*}; the core's {@code objectMapper} must already be bound.
 */
public class FileDropConfiguration implements CamelConfiguration {
    /**
     * The owner's heartbeat is stale after this many lock checks without one (Camel's FileLockClusterService): a dead
     * owner is replaced after about {@code hub.file.takeover-after-seconds}.
     */
    static final int MISSED_HEARTBEATS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(FileDropConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.of(context);
        Path inbox = Path.of(settings.string("hub.file.inbox")).toAbsolutePath();
        Path outbox = Path.of(settings.string("hub.file.outbox")).toAbsolutePath();
        // created here (rwx------), not by the file consumer, which would leave them open to every local user
        PrivateFiles.folder(inbox);
        PrivateFiles.folder(outbox);
        int concurrency = settings.integer("hub.file.concurrency");
        if (concurrency < 1) {
            throw new IllegalArgumentException("hub.file.concurrency must be at least 1, not " + concurrency);
        }
        boolean includeCredentials = settings.bool("hub.file.include-credentials");
        ObjectMapper mapper = context.getRegistry().lookupByNameAndType("objectMapper", ObjectMapper.class);
        if (mapper == null) {
            throw new IllegalStateException("bean objectMapper is missing: add FileDropConfiguration after the hub's configurations");
        }

        var registry = context.getRegistry();
        BatchStore batches = new BatchStore(context.getRegistry().lookupByNameAndType("hubDataSource", DataSource.class));
        BatchLimits limits = new BatchLimits(settings.integer("hub.file.max-record-chars"),
                settings.integer("hub.file.max-field-chars"));
        InboxFilter inboxFilter = new InboxFilter();
        registry.bind("inboxFilter", inboxFilter);
        // at least 1: checked before start (SettingsCheck)
        long takeoverSeconds = settings.number("hub.file.takeover-after-seconds");
        OutageWait outages = context.getRegistry().lookupByNameAndType("outageWait", OutageWait.class);
        if (outages == null) {
            throw new IllegalStateException("bean outageWait is missing: add FileDropConfiguration after the hub's configurations");
        }
        OnboardingStore store = registry.lookupByNameAndType("onboardingStore", OnboardingStore.class);
        FileBatches fileBatches = new FileBatches(mapper, batches, store.outbox(), outbox, concurrency, includeCredentials,
                settings.seconds("hub.file.progress-interval-seconds"), limits, inboxFilter,
                outages, new InboxRelease(context, Duration.ofSeconds(takeoverSeconds)), secretFields(context));
        registry.bind("fileBatches", fileBatches);
        // hub_batch_records_total: each record whose result line was written
        HubMetrics metrics = registry.lookupByNameAndType("hubMetrics", HubMetrics.class);
        if (metrics != null) {
            fileBatches.countRecordsWith(metrics::batchRecord);
        }
        Duration stalledAfter = settings.seconds("hub.file.stalled-after-seconds");
        registry.bind("fileDropReadiness", new FileDropReadiness(inbox, outbox, fileBatches, stalledAfter));
        // a live owner whose batch is stuck is treated like a dead one: the batch is given up and the inbox released
        long checkMs = Math.max(250, Math.min(5000, stalledAfter.toMillis() / 4));
        context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "file-drop-stall-check")
                .scheduleWithFixedDelay(() -> {
                    try {
                        fileBatches.giveUpStalled(stalledAfter);
                    } catch (RuntimeException e) {
                        LOG.error("the check for a stalled batch failed", e);
                    }
                }, checkMs, checkMs, TimeUnit.MILLISECONDS);
        // one thread more than records in flight: it reads the file ahead while the others onboard
        registry.bind("fileRecordPool", context.getExecutorServiceManager()
                .newFixedThreadPool(this, "file-records", concurrency + 1));
        Path leaderDir = Path.of(settings.optional("hub.file.leader-dir").orElse(inbox.resolve(".leader").toString())).toAbsolutePath();
        FileLockClusterService ownership = ownership(leaderDir, takeoverSeconds);
        context.addService(ownership);
        // later changes of batch records, appended to <outbox>/<name>.updates.ndjson by the inbox's owner
        BatchUpdates updates = new BatchUpdates(outbox, ownership, store.outbox(),
                Duration.ofDays(settings.number("hub.webhooks.keep-days")), Traces.hubTracer(context));
        registry.bind("fileBatchUpdates", updates);
        if (metrics != null) {
            updates.relay().countWith(metrics::eventAttempt);
        }
    }

    /** The fields the providers declare secret (the channel knows no provider: the catalog tells it). */
    private static SecretFields secretFields(CamelContext context) {
        ProviderCatalog catalog = context.getRegistry().lookupByNameAndType("providerCatalog", ProviderCatalog.class);
        if (catalog == null) {
            throw new IllegalStateException("bean providerCatalog is missing: add FileDropConfiguration after the hub's configurations");
        }
        return SecretFields.of(catalog);
    }

    /**
     * One instance at a time consumes the inbox: the one holding the file lock in {@code leaderDir} (shared storage,
     * next to the inbox) and writing a heartbeat there every fifth of {@code takeoverSeconds}. When it dies its
     * heartbeat stops; another instance takes the lock over and its file consumer starts, deletes the dead owner's
     * {@code .camelLock} markers and resumes the batch (same name and content: same batch in the database).
     */
    static FileLockClusterService ownership(Path leaderDir, long takeoverSeconds) throws Exception {
        PrivateFiles.folder(leaderDir);
        FileLockClusterService service = new FileLockClusterService();
        service.setId(instanceName());
        service.setRoot(leaderDir.toString());
        long checkMs = Math.max(200, takeoverSeconds * 1000 / MISSED_HEARTBEATS);
        service.setAcquireLockInterval(checkMs, TimeUnit.MILLISECONDS);
        // an instance that finds an owner's files waits one check before trying: the owner may be alive
        service.setAcquireLockDelay(checkMs, TimeUnit.MILLISECONDS);
        service.setHeartbeatTimeoutMultiplier(MISSED_HEARTBEATS);
        return service;
    }

    /** {@code <pid>@<host>}: names the owner in the log lines of the lock. */
    private static String instanceName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return ProcessHandle.current().pid() + "@" + host;
    }
}
