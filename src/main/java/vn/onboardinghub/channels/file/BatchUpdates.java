package vn.onboardinghub.channels.file;

import io.opentelemetry.api.trace.Tracer;
import org.apache.camel.cluster.CamelClusterService;
import vn.onboardinghub.events.OutboxRelay;
import vn.onboardinghub.store.EventOutbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Later changes of batch records (docs/contract.md "Updates of a batch"): {@code routes/intake-file.camel.yaml} calls
 * {@link #deliverDue} on a timer, and in the inbox's owner only an {@link OutboxRelay} claims the queued
 * {@code onboarding.updated} events (in order per onboarding) and appends each as one line to
 * {@code <outbox>/<name>.updates.ndjson}: {@code {"line", "batchId", "type", "timestamp", ...the event's data}}, never a
 * credential. An outbox that cannot be written (a full disk) only delays them: they are tried again (1 s doubling to
 * 60 s) until written, never given up. The owner alone writes, so lines of one file never come from two instances.
 */
public class BatchUpdates {
    /** The cluster namespace of the inbox's owner (the file route's {@code master:} endpoint). */
    static final String OWNER = "file-drop";

    private final Path outbox;
    private final CamelClusterService ownership;
    private final OutboxRelay relay;

    BatchUpdates(Path outbox, CamelClusterService ownership, EventOutbox events, Duration keep, Supplier<Tracer> tracer) {
        this.outbox = outbox;
        this.ownership = ownership;
        this.relay = OutboxRelay.untilSent(events, EventOutbox.Channel.FILE, () -> null, this::append, keep, tracer);
    }

    /** The relay, for the hub's metrics. */
    public OutboxRelay relay() {
        return relay;
    }

    /** One poll, in the inbox's owner: appends the due updates; the number written or tried. */
    public int deliverDue() {
        return ownership.isLeader(OWNER) ? relay.deliverDue() : 0;
    }

    /** {@code <outbox>/<name>.updates.ndjson} of the batch of file {@code name}. */
    Path updatesFile(String name) {
        return outbox.resolve(FileBatches.stem(name) + ".updates.ndjson");
    }

    private OutboxRelay.Outcome append(EventOutbox.Due due, String line, String traceparent) throws IOException {
        // a batch record's client is file:<the dropped file's name>
        String name = due.client().substring(due.client().indexOf(':') + 1);
        // the outbox itself is checked too: a link in its place is never written through
        PrivateFiles.folder(outbox);
        PrivateFiles.append(updatesFile(name), (NdjsonLines.line(line) + "\n").getBytes(StandardCharsets.UTF_8));
        return OutboxRelay.Outcome.delivered(null);
    }
}
