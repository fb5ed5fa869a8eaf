package vn.onboardinghub.webhooks;

import org.apache.camel.Exchange;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.opentelemetry.api.trace.Tracer;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.events.OutboxRelay;
import vn.onboardinghub.store.EventOutbox;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Delivers the webhook events of the outbox ({@code routes/webhooks.camel.yaml} calls {@link #deliverDue} on a timer,
 * an {@link OutboxRelay} claims them: one instance at a time, in order per onboarding): POSTs each on Camel's
 * {@code webhook-deliveries} thread pool with the Standard Webhooks headers (and the attempt's {@code traceparent}
 * when tracing is on). A 2xx is DELIVERED; anything else (another status, a redirect, which is never followed, a
 * refused target, a timeout, a refused connection) is tried again with exponential backoff
 * ({@code hub.webhooks.retry-initial-ms} doubling up to {@code retry-max-ms}) until
 * {@code hub.webhooks.give-up-after-seconds} after it was queued, then FAILED. Also the REST API's
 * {@code /api/v1/webhooks/deliveries} calls.
 */
public class WebhookDeliveries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliveries.class);
    /** Deliveries listed by the API at most. */
    public static final int LIST_LIMIT = 100;

    /** A client's webhook: where to, and its signing keys. */
    public record Target(URI url, WebhookSigner signer) {
    }

    private final Map<String, Target> targets;
    private final EventOutbox store;
    private final WebhookTargets policy;
    private final OutboxRelay relay;
    private final CloseableHttpClient http;
    private final Duration deadline;
    private final ScheduledExecutorService deadlines;

    public WebhookDeliveries(Map<String, Target> targets, EventOutbox store, WebhookTargets policy, OutboxRelay.Retries retries,
                             Duration connectTimeout, Duration responseTimeout, ExecutorService executor, int concurrency,
                             ScheduledExecutorService deadlines, Supplier<Tracer> tracer) {
        this.targets = Map.copyOf(targets);
        // the response timeout bounds each wait for a byte; this bounds the whole attempt, a receiver that trickles too
        this.deadline = connectTimeout.plus(responseTimeout);
        this.deadlines = deadlines;
        this.store = store;
        this.policy = policy;
        // a claim (renewed right before each attempt) outlives the longest attempt: another instance takes it over only
        // once its holder must be gone
        Duration lease = connectTimeout.plus(responseTimeout).multipliedBy(2).plusSeconds(5);
        // only the events of the clients this instance can send to: an instance not (yet) configured like the others
        // leaves them to those that are
        this.relay = new OutboxRelay(store, EventOutbox.Channel.WEBHOOK, this.targets::keySet, this::send, retries, lease,
                executor, concurrency, tracer);
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        // every address connected to is one this resolver checked (no re-resolving after the check)
                        .setDnsResolver(policy)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .setSocketTimeout(Timeout.of(responseTimeout)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(responseTimeout))
                        .setRedirectsEnabled(false).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("onboarding-hub-webhooks")
                .build();
    }

    /** The clients with a webhook-url: only their onboardings' changes are written to the outbox. */
    public boolean hasWebhook(String client) {
        return targets.containsKey(client);
    }

    /** The relay, for the hub's metrics. */
    public OutboxRelay relay() {
        return relay;
    }

    /** One poll: claims the due events and delivers them; the number delivered or tried. */
    public int deliverDue() {
        return relay.deliverDue();
    }

    private OutboxRelay.Outcome send(EventOutbox.Due due, String body, String traceparent) {
        Target target = targets.get(due.client());
        if (target == null) {
            return OutboxRelay.Outcome.failed(null, "client " + due.client() + " has no webhook-url any more");
        }
        try {
            policy.checkScheme(target.url());
            int status = post(target, due.eventId(), body, traceparent);
            return status >= 200 && status < 300 ? OutboxRelay.Outcome.delivered(status)
                    : OutboxRelay.Outcome.failed(status, status >= 300 && status < 400
                    ? "answered " + status + ": redirects are not followed" : "answered " + status);
        } catch (WebhookTargets.RefusedTargetException e) {
            return OutboxRelay.Outcome.failed(null, e.getMessage());
        } catch (IOException e) {
            return OutboxRelay.Outcome.failed(null, describe(e));
        }
    }

    private int post(Target target, String eventId, String body, String traceparent) throws IOException {
        long timestamp = Instant.now().getEpochSecond();
        HttpPost post = new HttpPost(target.url());
        post.setHeader("webhook-id", eventId);
        post.setHeader("webhook-timestamp", String.valueOf(timestamp));
        post.setHeader("webhook-signature", target.signer().sign(eventId, timestamp, body));
        if (traceparent != null) {
            post.setHeader("traceparent", traceparent);
        }
        post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        // the answer's body is not read: closing without reading drops the connection
        ScheduledFuture<?> abort = deadlines.schedule(post::cancel, deadline.toMillis(), TimeUnit.MILLISECONDS);
        try (ClassicHttpResponse response = http.executeOpen(null, post, null)) {
            return response.getCode();
        } catch (IOException e) {
            throw post.isCancelled() ? new InterruptedIOException("no answer within " + deadline.toMillis() + " ms") : e;
        } finally {
            abort.cancel(false);
        }
    }

    /** A failed attempt in plain words, never a stack trace. */
    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof InterruptedIOException) {
            return "timed out";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failed: " + e.getMessage();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** {@code GET /api/v1/webhooks/deliveries}: the calling client's latest deliveries, newest first. */
    public List<Map<String, Object>> list(Exchange exchange) {
        String client = exchange.getProperty(Onboardings.CLIENT, String.class);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EventOutbox.Delivery d : store.list(client, LIST_LIMIT)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("eventId", d.eventId());
            row.put("type", d.type());
            row.put("onboardingId", d.onboardingId());
            row.put("state", d.state().name());
            row.put("attempts", d.attempts());
            row.put("lastStatus", d.lastStatus());
            row.put("lastError", d.lastError());
            row.put("nextAttemptAt", text(d.nextAttemptAt()));
            row.put("createdAt", text(d.createdAt()));
            row.put("lastAttemptAt", text(d.lastAttemptAt()));
            row.put("deliveredAt", text(d.deliveredAt()));
            rows.add(row);
        }
        return rows;
    }

    /** {@code POST /api/v1/webhooks/deliveries/{eventId}/redeliver}: queues the caller's event again (202). */
    public Map<String, Object> redeliver(Exchange exchange) {
        String client = exchange.getProperty(Onboardings.CLIENT, String.class);
        String eventId = exchange.getMessage().getHeader("eventId", String.class);
        if (eventId == null || !store.redeliver(client, eventId)) {
            throw new WebhookEventNotFoundException(eventId);
        }
        LOG.info("webhook {} of client {} queued again", eventId, client);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return Map.of("eventId", eventId, "state", EventOutbox.State.PENDING.name());
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
