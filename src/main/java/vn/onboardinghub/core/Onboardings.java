package vn.onboardinghub.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import vn.onboardinghub.model.InvalidRequestException;
import vn.onboardinghub.validation.RequestReader;
import vn.onboardinghub.model.Violation;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.ops.Traces;
import vn.onboardinghub.store.InfrastructureUnavailableException;
import vn.onboardinghub.store.OnboardingStore;
import vn.onboardinghub.store.OutageWait;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The channel-independent core of {@code routes/onboarding.camel.yaml}: accept a request (validate, give it an
 * id, plan the fan-out), then assemble and store the providers' results.
 */
public class Onboardings {
    public static final String ID = "onboardingId";
    public static final String RECIPIENTS = "providerRoutes";
    public static final String EARLIER = "earlierOnboarding";
    /**
     * Set by a channel that knows the earlier attempt at this message stopped unfinished (a redelivered JMS message,
     * a resumed batch): its onboarding, if still PENDING, is taken over at once instead of after {@code abandonedAfter}.
     */
    public static final String REDELIVERED = "redelivered";
    /**
     * The batch a request is a record of, set by the file-drop channel: stored with its onboarding, which is how
     * {@code GET /api/v1/batches/{batchId}} counts a batch's onboardings (whatever their requestIds).
     */
    public static final String BATCH_ID = "batchId";
    /** The record's line in its batch (1-based), set by the file-drop channel with {@link #BATCH_ID}. */
    public static final String BATCH_LINE = "batchLine";
    /**
     * The bus request's correlation id, set by the bus channel: stored with its onboarding, whose later changes are
     * then published to the bus client's result queue under it.
     */
    public static final String BUS_CORRELATION_ID = "busCorrelationId";
    /** The durable queue a bus request named as its reply-to (null: a temporary queue, or none), set by the bus channel. */
    public static final String BUS_REPLY_TO = "busReplyTo";
    /** Longest bus correlation id stored (a longer one gets its first answer, but no later updates). */
    private static final int MAX_CORRELATION_ID = 1000;
    /** The requestId a channel gives a request that has none, e.g. a batch record's (batch id and line). */
    public static final String DEFAULT_REQUEST_ID = "defaultRequestId";
    /**
     * Who the onboarding belongs to, set by every channel: the REST API client's name, {@code jms}, or
     * {@code file:<file name>}. Its requestIds, its stored successes and its onboardings are its own.
     */
    public static final String CLIENT = "client";
    /** Set by the REST channel for a client that may read every onboarding ({@code read-all}). */
    public static final String READ_ALL = "readAll";
    /**
     * Set by a channel whose caller waits on the line (REST): while the database is unavailable it gets an answer at
     * once (503, try again) instead of waiting for the database before any provider is called. Other channels (bus,
     * batch) wait for it, up to {@code hub.outage.max-wait-seconds}.
     */
    public static final String ANSWER_NOW = "answerNow";
    /** Provider → key of the request's account inputs at that provider ({@link AccountKeys}). */
    private static final String ACCOUNT_KEYS = "accountKeys";
    private static final Logger LOG = LoggerFactory.getLogger(Onboardings.class);
    /** Abandoned onboardings taken per sweep at most; the rest wait for the next one. */
    private static final int SWEEP_LIMIT = 100;

    private final RequestReader reader;
    private final OnboardingStore store;
    private final ObjectMapper mapper;
    private final Duration abandonedAfter;
    private final ProviderCatalog catalog;
    private final AccountKeys accountKeys;
    private final MerchantLinks merchantLinks;
    private OutageWait outages = new OutageWait(Duration.ZERO);
    private Consumer<String> repeatedCalls = provider -> { };

    public Onboardings(RequestReader reader, OnboardingStore store, ObjectMapper mapper, Duration abandonedAfter,
                       ProviderCatalog catalog, AccountKeys accountKeys, MerchantLinks merchantLinks) {
        this.reader = reader;
        this.store = store;
        this.mapper = mapper;
        this.abandonedAfter = abandonedAfter;
        this.catalog = catalog;
        this.accountKeys = accountKeys;
        this.merchantLinks = merchantLinks;
    }

    /** How long to wait out an outage of the database (hub.outage.max-wait-seconds). */
    public void waitOutagesWith(OutageWait outageWait) {
        this.outages = outageWait;
    }

    /** Where provider calls repeated by taking over an unfinished onboarding are counted. */
    public void countRepeatsWith(Consumer<String> repeatedCall) {
        this.repeatedCalls = repeatedCall;
    }

    /** Any result or error as JSON, for channels that reply with text. */
    public String json(Object value) throws JsonProcessingException {
        return mapper.writeValueAsString(value);
    }

    /** Reads and validates the JSON body; throws {@code InvalidRequestException} with every violation. */
    public void accept(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            throw new InvalidRequestException(List.of(new Violation("Content-Type", "must be application/json, not " + contentType)));
        }
        start(exchange, reader.read(exchange.getMessage().getBody(String.class)));
    }

    /**
     * Starts an already built request (e.g. a batch record) after validating it, and records it as PENDING. A
     * {@code requestId} seen before is not onboarded again: property {@link #EARLIER} then holds the earlier result,
     * unless that onboarding was left PENDING by a process that stopped, which is then finished here. Providers that
     * already SUCCEEDED for this client's merchant ({@code externalId}) with the same account inputs are not called
     * again: their stored result is reused.
     */
    public void start(Exchange exchange, OnboardingRequest request) {
        String client = exchange.getProperty(CLIENT, String.class);
        if (client == null) {
            throw new IllegalStateException("a channel must say whose onboarding this is (exchange property " + CLIENT + ")");
        }
        String defaultRequestId = exchange.getProperty(DEFAULT_REQUEST_ID, String.class);
        OnboardingRequest valid = reader.validate(request.requestId() == null && defaultRequestId != null
                ? request.withRequestId(defaultRequestId) : request);
        String id = UUID.randomUUID().toString();
        OnboardingResult pending = OnboardingResult.pending(id, valid.requestId(), valid.merchant().externalId(), client);
        Optional<OnboardingResult> earlier = beforeProviders(exchange, "claim of onboarding " + id, () -> store.claim(pending, valid, origin(exchange, pending.onboardingId())))
                // our own claim, committed although the database went away before it said so
                .filter(e -> !e.onboardingId().equals(pending.onboardingId()));
        boolean takenOver = false;
        if (earlier.isPresent()) {
            OnboardingResult e = earlier.get();
            MDC.put(ID, e.onboardingId());
            exchange.setProperty(ID, e.onboardingId());
            if (!isUnfinished(exchange, e)) {
                exchange.setProperty(EARLIER, e);
                LOG.info("onboarding {} already exists for requestId {}: not onboarded again", e.onboardingId(), valid.requestId());
                return;
            }
            id = e.onboardingId();
            takenOver = true;
            LOG.warn("onboarding {} (requestId {}) was left unfinished by a stopped process: finishing it", id, valid.requestId());
        }
        plan(exchange, id, valid, client, takenOver);
    }

    /** Where the onboarding's later changes go besides webhooks: its batch and line, or its bus request and reply-to. */
    private static OnboardingStore.Origin origin(Exchange exchange, String id) {
        String correlationId = exchange.getProperty(BUS_CORRELATION_ID, String.class);
        if (correlationId != null && correlationId.length() > MAX_CORRELATION_ID) {
            LOG.warn("onboarding {}: its bus correlation id is longer than {} characters; its later changes are not published"
                    + " on the bus", id, MAX_CORRELATION_ID);
            correlationId = null;
        }
        String replyTo = exchange.getProperty(BUS_REPLY_TO, String.class);
        return new OnboardingStore.Origin(exchange.getProperty(BATCH_ID, String.class),
                exchange.getProperty(BATCH_LINE, Long.class), correlationId,
                correlationId == null || replyTo == null || replyTo.length() > MAX_CORRELATION_ID ? null : replyTo);
    }

    /**
     * Sets what {@code direct:onboard} runs: the providers to call, and the results reused from earlier successes; an
     * onboarding {@code takenOver} from a stopped process counts the providers it calls again.
     */
    private void plan(Exchange exchange, String id, OnboardingRequest valid, String client, boolean takenOver) {
        MDC.put(ID, id);
        exchange.setProperty(ProviderAdapter.REQUEST, valid);
        exchange.setProperty(ID, id);
        Map<String, String> keys = new LinkedHashMap<>();
        valid.providers().forEach(p -> keys.put(p, accountKeys.of(catalog.get(p), valid)));
        exchange.setProperty(ACCOUNT_KEYS, keys);
        Map<String, ProviderResult> succeededBefore = beforeProviders(exchange, "earlier results of onboarding " + id,
                () -> store.succeeded(client, valid.merchant().externalId(), keys));
        List<ProviderResult> reused = valid.providers().stream().filter(succeededBefore::containsKey)
                .map(p -> succeededBefore.get(p).reused()).toList();
        // the fan-out adds the called providers' results to these
        exchange.setProperty(ProviderResultsAggregation.RESULTS, Collections.synchronizedList(new ArrayList<>(reused)));
        exchange.setProperty(RECIPIENTS, valid.providers().stream().filter(p -> !succeededBefore.containsKey(p))
                .map(p -> "direct:provider-" + p).collect(Collectors.joining(",")));
        if (takenOver) {
            // the stopped process may have called these already: they may be called twice
            valid.providers().stream().filter(p -> !succeededBefore.containsKey(p)).forEach(repeatedCalls);
        }
        LOG.info("onboarding {} accepted for merchant {} with providers {}{}", id, valid.merchant().externalId(), valid.providers(),
                reused.isEmpty() ? "" : "; already succeeded before, not called again: "
                        + reused.stream().map(ProviderResult::provider).toList());
    }

    /**
     * The sweep's candidates: onboardings left PENDING longer than {@code abandonedAfter} (their process stopped),
     * oldest first.
     */
    public List<String> abandoned() {
        return store.findAbandoned(abandonedAfter, SWEEP_LIMIT);
    }

    /**
     * Takes over one abandoned onboarding (the body: its id) and prepares it for {@code direct:onboard} like
     * {@link #start}, with the request it was started with (its secrets included) and its client, so that no caller
     * has to send it again. The database decides (compare-and-set on its last change): of the instances sweeping at
     * once, one finishes it; for the others, or when it was finished meanwhile, property {@link #ID} stays unset.
     */
    public void resume(Exchange exchange) {
        String id = exchange.getMessage().getBody(String.class);
        MDC.remove(ID);
        if (!store.takeOverPending(id, abandonedAfter)) {
            return;
        }
        Optional<OnboardingStore.Stored> pending = store.findPending(id);
        if (pending.isEmpty()) {
            return;
        }
        OnboardingResult stored = pending.get().result();
        MDC.put(ID, id);
        exchange.setProperty(CLIENT, stored.client());
        LOG.warn("onboarding {} (requestId {}) was left unfinished by a stopped process: finishing it", id, stored.requestId());
        OnboardingRequest valid;
        try {
            // gives back what the stored form does not keep (which inputs are secrets), as when it was accepted
            valid = reader.validate(pending.get().request());
        } catch (InvalidRequestException e) {
            // valid when it was accepted: the configuration changed since (e.g. a provider removed); final all the same
            OnboardingResult refused = new OnboardingResult(id, stored.requestId(), stored.externalId(), stored.client(),
                    OnboardingResult.Status.FAILED, e.error(), Map.of(), null);
            // read back, the request no longer knows which inputs are secrets: none is handed on
            store.save(refused, pending.get().request().withInputs(Map.of(), java.util.Set.of()), Map.of());
            LOG.info("onboarding {} FAILED: its request is no longer valid: {}", id, e.violations());
            return;
        }
        plan(exchange, id, valid, stored.client(), true);
    }

    /** A PENDING onboarding whose process stopped: redelivered by the channel, or unchanged for too long. */
    private boolean isUnfinished(Exchange exchange, OnboardingResult earlier) {
        if (earlier.status() != OnboardingResult.Status.PENDING) {
            return false;
        }
        boolean redelivered = exchange.getProperty(REDELIVERED, false, Boolean.class);
        return beforeProviders(exchange, "take-over of onboarding " + earlier.onboardingId(),
                () -> store.takeOverPending(earlier.onboardingId(), redelivered ? Duration.ZERO : abandonedAfter));
    }

    /**
     * A store step before any provider is called: during a database outage a REST caller is answered at once
     * ({@link InfrastructureUnavailableException}, 503), the bus and batches wait for the database.
     */
    private <T> T beforeProviders(Exchange exchange, String step, Supplier<T> work) {
        return exchange.getProperty(ANSWER_NOW, false, Boolean.class) ? work.get() : outages.until(step, work);
    }

    /** The onboarding as it stands now: the earlier one for a repeated requestId, else the new one, PENDING. */
    public OnboardingResult current(Exchange exchange) {
        OnboardingResult earlier = exchange.getProperty(EARLIER, OnboardingResult.class);
        String id = exchange.getProperty(ID, String.class);
        return earlier != null ? earlier : store.find(id).map(OnboardingStore.Stored::result)
                .orElseThrow(() -> new OnboardingNotFoundException(id));
    }

    /** Aggregates the providers' results (in the order they were requested), computes the status, stores it. */
    @SuppressWarnings("unchecked")
    public OnboardingResult complete(Exchange exchange) {
        List<ProviderResult> results = exchange.getProperty(ProviderResultsAggregation.RESULTS, List.class);
        OnboardingRequest request = exchange.getProperty(ProviderAdapter.REQUEST, OnboardingRequest.class);
        List<String> order = request.providers();
        List<ProviderResult> ordered = results.stream()
                .sorted(Comparator.comparingInt(r -> order.indexOf(r.provider()))).toList();
        OnboardingResult answered = OnboardingResult.of(exchange.getProperty(ID, String.class), request.requestId(),
                request.merchant().externalId(), exchange.getProperty(CLIENT, String.class), ordered);
        Map<String, String> keys = exchange.getProperty(ACCOUNT_KEYS, Map.class);
        // the providers were called: their answers are kept by saving again until the database is back, never by
        // calling them again
        OnboardingResult result = outages.until("merchant link of onboarding " + answered.onboardingId(),
                () -> merchantLinks.attach(answered));
        // stored in the exchange's trace: the events it queues continue it (this may be a provider call's thread)
        try (var trace = Traces.activate(exchange)) {
            outages.untilDone("result of onboarding " + result.onboardingId(), () -> store.save(result, request, keys));
        }
        LOG.info("onboarding {} {}: {}", result.onboardingId(), result.status(), ordered.stream()
                .map(r -> r.provider() + "=" + r.status() + (r.error() == null ? "" : "(" + r.error().code() + ")"))
                .collect(Collectors.joining(" ")));
        return result;
    }

    /**
     * The result for a message that failed validation (bus message, batch record): FAILED with the violations,
     * keeping whatever ids could be read from it.
     */
    public OnboardingResult rejected(Exchange exchange) {
        InvalidRequestException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, InvalidRequestException.class);
        String body = exchange.getMessage().getBody(String.class);
        String requestId = null;
        String externalId = null;
        try {
            JsonNode tree = mapper.readTree(body);
            requestId = tree.path("requestId").isTextual() ? tree.path("requestId").asText() : null;
            externalId = tree.at("/merchant/externalId").isTextual() ? tree.at("/merchant/externalId").asText() : null;
        } catch (Exception unreadable) {
            // not JSON at all: no ids to keep
        }
        MDC.remove(ID);
        LOG.info("request for merchant {} refused: {}", externalId, e.violations());
        return OnboardingResult.rejected(requestId, externalId, e.error());
    }

    /**
     * The onboarding, if the calling client created it (a read-all client reads others', it does not change them);
     * any other is answered like an unknown id.
     */
    public OnboardingResult own(Exchange exchange) {
        String onboardingId = exchange.getMessage().getHeader(ID, String.class);
        String client = exchange.getProperty(CLIENT, String.class);
        return store.find(onboardingId).map(OnboardingStore.Stored::result).filter(r -> r.client().equals(client))
                .orElseThrow(() -> new OnboardingNotFoundException(onboardingId));
    }

    /**
     * {@code GET /api/v1/onboardings/{id}}: the onboarding, if the calling client created it or may read all; any
     * other is answered exactly like an unknown id, so ids cannot be probed.
     */
    public OnboardingResult find(Exchange exchange) {
        String onboardingId = exchange.getMessage().getHeader(ID, String.class);
        boolean readAll = exchange.getProperty(READ_ALL, false, Boolean.class);
        String client = exchange.getProperty(CLIENT, String.class);
        return store.find(onboardingId).map(OnboardingStore.Stored::result)
                .filter(r -> readAll || r.client().equals(client))
                .orElseThrow(() -> new OnboardingNotFoundException(onboardingId));
    }

}
