package vn.onboardinghub.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.MDC;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.ProviderCallObserver;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The hub's own meters, in the Micrometer registry that Camel serves as Prometheus text at {@code /observe/metrics}
 * on the management port (Prometheus names in brackets):
 * <ul>
 *   <li>{@code hub.provider.calls} [{@code hub_provider_calls_total}] {provider, outcome}: every HTTP call sent to a
 *       provider, retries included (the sum is the results' {@code attempts}); outcome {@code SUCCEEDED} when the
 *       provider's answer was accepted, else the error code that call produced. Calls the hub refused to send itself
 *       (NOT_CONFIGURED, CIRCUIT_OPEN, its own rate limit) are not HTTP calls: see {@code hub.provider.results}.</li>
 *   <li>{@code hub.provider.call} [{@code hub_provider_call_seconds}] {provider}: how long those calls took, request
 *       sent to answer (or failure).</li>
 *   <li>{@code hub.provider.results} [{@code hub_provider_results_total}] {provider, outcome}: each provider's final
 *       result per onboarding (or ITS callback), after retries: outcome SUCCEEDED, ACTION_REQUIRED or the error code.</li>
 *   <li>{@code hub.onboardings} [{@code hub_onboardings_total}] {status}: onboardings whose providers all answered,
 *       by overall status (counted once, when the fan-out completes).</li>
 *   <li>{@code hub.batch.records} [{@code hub_batch_records_total}] {status}: file-drop records written, by overall
 *       status (a record refused by validation or that crashed is FAILED).</li>
 *   <li>{@code hub.provider.repeated.calls} [{@code hub_provider_repeated_calls_total}] {provider}: providers called
 *       again because an onboarding left unfinished by a stopped process (or an earlier delivery) was taken over:
 *       the stopped process may have called them already, so each is a call that may have happened twice.</li>
 *   <li>{@code hub.merchant.links.opened} [{@code hub_merchant_links_opened_total}] {outcome}: merchant pages
 *       ({@code /m/<token>}) asked for: outcome {@code shown}, or {@code refused} for a tampered, unknown, expired or
 *       revoked link (many of those: someone probing links).</li>
 *   <li>{@code hub.merchant.actions.started} [{@code hub_merchant_actions_started_total}] {provider}: buttons of the
 *       merchant page pressed that make the hub start the provider's flow again (e.g. a fresh ITS authorization).</li>
 *   <li>{@code hub.merchant.actions.completed} [{@code hub_merchant_actions_completed_total}] {provider}: providers
 *       that waited for the merchant and then succeeded (through the provider's callback or the page's button).</li>
 *   <li>{@code hub.events.attempts} [{@code hub_events_attempts_total}] {channel, outcome}: attempts at delivering an
 *       event of the outbox: channel {@code webhook}, {@code bus} or {@code file}; outcome {@code delivered},
 *       {@code retried} (failed, tried again later) or {@code failed} (given up: a webhook past its give-up time).</li>
 * </ul>
 * No route step names them: Camel's route hooks feed them ({@link MeteredRoutes}, a route policy on the provider routes
 * and the onboarding route), the provider code tells each call sent, answered or failed and each provider's result
 * through {@link ProviderCallObserver} (a {@link ProviderCallMeter} per run of a provider route), the file-drop
 * channel each record written and the core each repeated call, through callbacks.
 */
public class HubMetrics {
    /** Camel's metrics service uses the registry bound under this name, or creates one and binds it there. */
    public static final String REGISTRY = "metricsRegistry";
    /** The outcome of a call whose answer was accepted. */
    static final String SUCCEEDED = "SUCCEEDED";
    /** Bucket bounds for {@code hub_provider_call_seconds_bucket}, so dashboards can show percentiles. */
    private static final Duration[] CALL_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30)};

    private final MeterRegistry registry;

    public HubMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The meters in Camel's metrics registry: the one already bound, else a Prometheus registry bound for Camel's
     * metrics service to find, whichever of the two starts first.
     */
    public static HubMetrics bindTo(CamelContext context) {
        MeterRegistry registry = context.getRegistry().lookupByNameAndType(REGISTRY, MeterRegistry.class);
        if (registry == null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind(REGISTRY, registry);
        }
        return new HubMetrics(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * As an exchange enters the route of {@code provider} ({@link MeteredRoutes}), on its provider-calls thread: names
     * the onboarding and the provider in the MDC of this thread (its retries run on it too) and starts metering the
     * route's HTTP calls.
     */
    void providerRouteStarted(Exchange exchange, String provider) {
        MDC.put(Onboardings.ID, exchange.getProperty(Onboardings.ID, String.class));
        MDC.put(ProviderCallObserver.MDC_PROVIDER, provider);
        exchange.setProperty(ProviderCallObserver.PROPERTY, new ProviderCallMeter(this, provider));
    }

    /** After the fan-out, its result stored ({@link MeteredRoutes}): the onboarding's overall status. */
    public void onboardingCompleted(OnboardingResult result) {
        if (result != null) {
            Counter.builder("hub.onboardings").description("Onboardings whose providers all answered, by overall status")
                    .tag("status", result.status().name()).register(registry).increment();
        }
    }

    /** A file-drop record's result line was written (told by the file-drop channel). */
    public void batchRecord(OnboardingResult result) {
        if (result != null) {
            Counter.builder("hub.batch.records").description("File-drop records processed, by overall status")
                    .tag("status", result.status().name()).register(registry).increment();
        }
    }

    /** An unfinished onboarding was taken over and {@code provider} is called again (it may have been called before). */
    public void providerCallRepeated(String provider) {
        Counter.builder("hub.provider.repeated.calls")
                .description("Providers called again when an unfinished onboarding was taken over (possibly repeated calls)")
                .tag("provider", provider).register(registry).increment();
    }

    /** A merchant page was asked for: {@code shown}, or {@code refused} (a bad link). */
    public void merchantLinkOpened(boolean shown) {
        Counter.builder("hub.merchant.links.opened").description("Merchant pages asked for, shown or refused (bad link)")
                .tag("outcome", shown ? "shown" : "refused").register(registry).increment();
    }

    /** The merchant pressed a provider's button that makes the hub start its flow again. */
    public void merchantActionStarted(String provider) {
        Counter.builder("hub.merchant.actions.started").description("Provider flows started again from the merchant page")
                .tag("provider", provider).register(registry).increment();
    }

    /** A provider that waited for the merchant succeeded. */
    public void merchantActionCompleted(String provider) {
        Counter.builder("hub.merchant.actions.completed").description("Providers that waited for the merchant and then succeeded")
                .tag("provider", provider).register(registry).increment();
    }

    /** An attempt at delivering an event of the outbox on {@code channel}: delivered, retried or failed. */
    public void eventAttempt(String channel, String outcome) {
        Counter.builder("hub.events.attempts").description("Attempts at delivering events (webhooks, bus and batch updates), by outcome")
                .tag("channel", channel).tag("outcome", outcome).register(registry).increment();
    }

    void recordCall(String provider, String outcome, long nanos) {
        Counter.builder("hub.provider.calls").description("HTTP calls sent to providers, retries included, by outcome")
                .tag("provider", provider).tag("outcome", outcome).register(registry).increment();
        Timer.builder("hub.provider.call").description("Duration of HTTP calls to providers")
                .tag("provider", provider).serviceLevelObjectives(CALL_BUCKETS).register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void recordResult(String provider, ProviderResult result) {
        String outcome = result.error() != null && result.status() == ProviderResult.ProviderStatus.FAILED
                ? result.error().code().name() : result.status().name();
        Counter.builder("hub.provider.results").description("Final provider results, after retries, by outcome")
                .tag("provider", provider).tag("outcome", outcome).register(registry).increment();
    }

    long now() {
        return registry.config().clock().monotonicTime();
    }
}
