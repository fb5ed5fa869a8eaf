package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import vn.onboardinghub.store.BatchStore;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Binds the file-drop channel's beans for {@code routes/intake-file.camel.yaml}: {@code fileBatches},
 * {@code inboxFilter} and {@code fileRecordPool}; and its readiness check {@code fileDropReadiness}. Reads {@code hub.file.*}; the core's {@code objectMapper} must already be bound.
 */
public class FileDropConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        Path dataDir = Path.of(prop(props, "hub.data-dir", "data"));
        Path inbox = Path.of(prop(props, "hub.file.inbox", dataDir.resolve("inbox").toString())).toAbsolutePath();
        Path outbox = Path.of(prop(props, "hub.file.outbox", dataDir.resolve("outbox").toString())).toAbsolutePath();
        // created here (rwx------), not by the file consumer, which would leave them open to every local user
        PrivateFiles.folder(inbox);
        PrivateFiles.folder(outbox);
        int concurrency = Integer.parseInt(prop(props, "hub.file.concurrency", "8"));
        if (concurrency < 1) {
            throw new IllegalArgumentException("hub.file.concurrency must be at least 1, not " + concurrency);
        }
        boolean includeCredentials = Boolean.parseBoolean(prop(props, "hub.file.include-credentials", "false"));
        ObjectMapper mapper = context.getRegistry().lookupByNameAndType("objectMapper", ObjectMapper.class);
        if (mapper == null) {
            throw new IllegalStateException("bean objectMapper is missing: add FileDropConfiguration after HubConfiguration");
        }

        var registry = context.getRegistry();
        BatchStore batches = new BatchStore(context.getRegistry().lookupByNameAndType("hubDataSource", DataSource.class));
        BatchLimits limits = new BatchLimits(
                Integer.parseInt(prop(props, "hub.file.max-record-chars", String.valueOf(BatchLimits.DEFAULT.maxRecordChars()))),
                Integer.parseInt(prop(props, "hub.file.max-field-chars", String.valueOf(BatchLimits.DEFAULT.maxFieldChars()))));
        InboxFilter inboxFilter = new InboxFilter();
        registry.bind("inboxFilter", inboxFilter);
        FileBatches fileBatches = new FileBatches(mapper, batches, outbox, concurrency, includeCredentials,
                Duration.ofSeconds(Long.parseLong(prop(props, "hub.file.progress-interval-seconds", "5"))), limits, inboxFilter);
        registry.bind("fileBatches", fileBatches);
        registry.bind("fileDropReadiness", new FileDropReadiness(inbox, outbox, fileBatches,
                Duration.ofSeconds(Long.parseLong(prop(props, "hub.file.stalled-after-seconds", "300")))));
        // one thread more than records in flight: it reads the file ahead while the others onboard
        registry.bind("fileRecordPool", context.getExecutorServiceManager()
                .newFixedThreadPool(this, "file-records", concurrency + 1));
    }

    private static String prop(PropertiesComponent props, String key, String defaultValue) {
        return props.resolveProperty(key).map(String::strip).filter(v -> !v.isEmpty()).orElse(defaultValue);
    }
}
