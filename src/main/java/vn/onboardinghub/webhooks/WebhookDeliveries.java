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
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.store.InfrastructureUnavailableException;
import vn.onboardinghub.store.WebhookStore;

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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Delivers the webhook outbox ({@code routes/webhooks.camel.yaml} calls {@link #deliverDue} on a timer): claims the
 * due events (one instance at a time, in order per onboarding, see {@link WebhookStore}), POSTs each on Camel's
 * {@code webhook-deliveries} thread pool with the Standard Webhooks headers, and records the outcome: a 2xx is
 * DELIVERED; anything else (another status, a redirect, which is never followed, a refused target, a timeout, a
 * refused connection) is tried again with exponential backoff ({@code hub.webhooks.retry-initial-ms} doubling up to
 * {@code retry-max-ms}) until {@code hub.webhooks.give-up-after-seconds} after it was queued, then FAILED. An outage
 * of the database only pauses delivery. Also the REST API's {@code /api/v1/webhooks/deliveries} calls.
 */
public class WebhookDeliveries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliveries.class);
    /** Events claimed per poll at most. */
    private static final int CLAIM_LIMIT = 50;
    /** Deliveries listed by the API at most. */
    public static final int LIST_LIMIT = 100;

    /** A client's webhook: where to, and its signing keys. */
    public record Target(URI url, WebhookSigner signer) {
    }

    /**
     * Backoff and give-up of failed attempts, and how long finished (DELIVERED, FAILED) events stay listed before the
     * outbox forgets them.
     */
    public record Retries(Duration initial, Duration max, Duration giveUpAfter, Duration keep) {
    }

    /** How often an instance forgets the finished events older than {@link Retries#keep}. */
    private static final Duration PURGE_EVERY = Duration.ofHours(1);
    private volatile Instant nextPurge = Instant.now();

    private final Map<String, Target> targets;
    private final WebhookStore store;
    private final WebhookTargets policy;
    private final Retries retries;
    private final Duration lease;
    private final String instance;
    private final ExecutorService executor;
    private final CloseableHttpClient http;
    private final AtomicBoolean waitingForDatabase = new AtomicBoolean();

    public WebhookDeliveries(Map<String, Target> targets, WebhookStore store, WebhookTargets policy, Retries retries,
                             Duration connectTimeout, Duration responseTimeout, String instance, ExecutorService executor) {
        this.targets = Map.copyOf(targets);
        this.store = store;
        this.policy = policy;
        this.retries = retries;
        // a claim outlives the longest attempt: another instance takes it over only once its holder must be gone
        this.lease = connectTimeout.plus(responseTimeout).multipliedBy(2).plusSeconds(30);
        this.instance = instance;
        this.executor = executor;
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

    /** One poll: claims the due events and delivers them; the number delivered or tried. */
    public int deliverDue() throws InterruptedException {
        List<WebhookStore.Due> due;
        try {
            // only the events of the clients this instance can send to: an instance not (yet) configured like the others
            // leaves them to those that are
            due = store.claim(instance, targets.keySet(), CLAIM_LIMIT, lease);
        } catch (RuntimeException e) {
            if (!InfrastructureUnavailableException.isOutage(e)) {
                throw e;
            }
            if (waitingForDatabase.compareAndSet(false, true)) {
                LOG.warn("webhook deliveries paused: the database is unavailable; they go on when it is back");
            }
            return 0;
        }
        if (waitingForDatabase.compareAndSet(true, false)) {
            LOG.info("webhook deliveries go on: the database is available again");
        }
        if (!Instant.now().isBefore(nextPurge)) {
            nextPurge = Instant.now().plus(PURGE_EVERY);
            int forgotten = store.purge(Instant.now().minus(retries.keep()));
            if (forgotten > 0) {
                LOG.info("webhook outbox: {} delivered or failed events older than {} days forgotten", forgotten, retries.keep().toDays());
            }
        }
        List<Future<?>> running = new ArrayList<>();
        for (WebhookStore.Due event : due) {
            running.add(executor.submit(() -> deliver(event)));
        }
        for (Future<?> attempt : running) {
            try {
                attempt.get();
            } catch (ExecutionException e) {
                LOG.warn("a webhook delivery failed unexpectedly: {}", e.getCause().getClass().getName());
            }
        }
        return due.size();
    }

    private void deliver(WebhookStore.Due due) {
        Target target = targets.get(due.client());
        try {
            if (target == null) {
                store.failed(due, instance, null, "client " + due.client() + " has no webhook-url any more", null);
                return;
            }
            String body;
            try {
                body = store.body(due);
            } catch (RuntimeException e) {
                store.failed(due, instance, null, "the event cannot be read with hub.crypto.key", null);
                return;
            }
            Integer status = null;
            String error;
            try {
                policy.checkScheme(target.url());
                status = post(target, due.eventId(), body);
                error = status >= 200 && status < 300 ? null : status >= 300 && status < 400
                        ? "answered " + status + ": redirects are not followed" : "answered " + status;
            } catch (WebhookTargets.RefusedTargetException e) {
                error = e.getMessage();
            } catch (IOException e) {
                error = describe(e);
            }
            if (error == null) {
                store.delivered(due, instance, status);
                LOG.info("webhook {} {} of onboarding {} delivered to client {}", due.eventId(), due.type(), due.onboardingId(), due.client());
                return;
            }
            Instant now = Instant.now();
            int attempt = due.attempts() + 1;
            Instant next = Duration.between(due.queuedAt(), now).compareTo(retries.giveUpAfter()) >= 0 ? null
                    : now.plus(backoff(attempt));
            store.failed(due, instance, status, error, next);
            if (next == null) {
                LOG.warn("webhook {} {} of onboarding {} to client {} given up after {} attempts: {}", due.eventId(), due.type(),
                        due.onboardingId(), due.client(), attempt, error);
            } else {
                LOG.info("webhook {} to client {}: attempt {} failed ({}), next at {}", due.eventId(), due.client(), attempt, error, next);
            }
        } catch (RuntimeException e) {
            if (!InfrastructureUnavailableException.isOutage(e)) {
                throw e;
            }
            // not recorded: the claim runs out and the event is delivered again (at least once)
            LOG.warn("webhook {}: its outcome cannot be recorded, the database is unavailable; it will be sent again", due.eventId());
        }
    }

    private int post(Target target, String eventId, String body) throws IOException {
        long timestamp = Instant.now().getEpochSecond();
        HttpPost post = new HttpPost(target.url());
        post.setHeader("webhook-id", eventId);
        post.setHeader("webhook-timestamp", String.valueOf(timestamp));
        post.setHeader("webhook-signature", target.signer().sign(eventId, timestamp, body));
        post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        // the answer's body is not read: closing without reading drops the connection
        try (ClassicHttpResponse response = http.executeOpen(null, post, null)) {
            return response.getCode();
        }
    }

    private Duration backoff(int attempt) {
        long factor = 1L << Math.min(30, attempt - 1);
        Duration delay = retries.initial().multipliedBy(factor);
        return delay.compareTo(retries.max()) > 0 || delay.isNegative() ? retries.max() : delay;
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
        for (WebhookStore.Delivery d : store.list(client, LIST_LIMIT)) {
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
        return Map.of("eventId", eventId, "state", WebhookStore.State.PENDING.name());
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
