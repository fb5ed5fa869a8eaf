package vn.onboardinghub.providers;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What protects each provider from the hub and the hub from each provider:
 * <ul>
 * <li>a Resilience4j circuit breaker per provider, used by the {@code circuitBreaker} step of the provider's
 * route. Only outages count as failures (5xx, network failures, timeouts): a 4xx is the provider answering.</li>
 * <li>{@code hub.providers.<p>.rate-limit}: at most N calls in any one-second window at the provider; for this
 * instance alone ({@link SlidingRateLimit}), or for every instance of a shared PostgreSQL database together
 * ({@link ClusterRateLimits}).</li>
 * </ul>
 * ({@code hub.providers.<p>.max-concurrency} is the circuit breaker step's bulkhead, in the provider's route: per
 * instance.)
 */
public class ProviderGuards {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderGuards.class);

    private final CircuitBreakerRegistry breakers;
    private final Map<String, RateLimit> rateLimits = new ConcurrentHashMap<>();
    /** Gives each permit back a second after its call ended (a pool of Camel's, stopped with the context). */
    private final ScheduledExecutorService permitReturns;
    private final long maxWaitMs;
    private final ClusterRateLimits cluster;

    /**
     * Rate limits shared through {@code cluster} when it is not null, per instance otherwise; {@code permitReturns}
     * runs the returns of per-instance permits.
     */
    public ProviderGuards(CircuitBreakerConfig breakerConfig, long maxWaitMs, ClusterRateLimits cluster,
                          ScheduledExecutorService permitReturns) {
        this.breakers = CircuitBreakerRegistry.of(breakerConfig);
        this.permitReturns = permitReturns;
        this.maxWaitMs = maxWaitMs;
        this.cluster = cluster;
    }

    /** How a provider's calls get their turn under its rate limit. */
    interface RateLimit {
        /**
         * Waits up to {@code maxWaitMs} for a turn. Returns what to run once the call has ended (an answer or a
         * failure), or null when no turn came in time.
         */
        Runnable acquire(long maxWaitMs) throws InterruptedException;
    }

    /** The breaker settings from {@code hub.circuit-breaker.*}; only {@link ProviderCalls#isOutage outages} are failures. */
    public static CircuitBreakerConfig breakerConfig(float failureRatePercent, int minimumCalls, int window,
                                                     Duration open, int halfOpenCalls) {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(failureRatePercent)
                .minimumNumberOfCalls(minimumCalls)
                .slidingWindowSize(window)
                .waitDurationInOpenState(open)
                .permittedNumberOfCallsInHalfOpenState(halfOpenCalls)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(ProviderCalls::isOutage)
                .writableStackTraceEnabled(false)
                .build();
    }

    public CircuitBreakerRegistry breakers() {
        return breakers;
    }

    /** The provider's breaker, bound as {@code <provider>CircuitBreaker} for its route; state changes are logged. */
    public CircuitBreaker breaker(String provider) {
        CircuitBreaker breaker = breakers.circuitBreaker(provider);
        breaker.getEventPublisher().onStateTransition(e -> LOG.warn("{} circuit breaker: {}", provider,
                e.getStateTransition()));
        return breaker;
    }

    /** Sets the provider's {@code rate-limit} (calls per second); 0 or less means unlimited. */
    public void rateLimit(String provider, int callsPerSecond) {
        if (callsPerSecond > 0) {
            rateLimits.put(provider, cluster != null ? cluster.limit(provider, callsPerSecond) : new SlidingRateLimit(callsPerSecond));
            LOG.info("{} rate limit: {} calls per second, {}", provider, callsPerSecond,
                    cluster != null ? "shared by every instance of this database" : "for this instance");
        }
    }

    /**
     * Waits until the provider's rate limit allows one more call. Returns what to run once the call has ended (an
     * answer or a failure), or null when no room came within {@code hub.providers.max-wait-ms}.
     */
    public Runnable awaitCallPermit(String provider) throws InterruptedException {
        RateLimit limit = rateLimits.get(provider);
        return limit == null ? () -> { } : limit.acquire(maxWaitMs);
    }

    public long maxWaitMs() {
        return maxWaitMs;
    }

    /**
     * N permits; a call takes one, and it comes back one second after the call ended. A call ends after the provider
     * received it, so no one-second window at the provider, wherever it starts, holds more than N calls, however late
     * a request travels (Camel's throttle returns permits a period after they were taken, which a slow send can
     * defeat; Resilience4j's RateLimiter refreshes per fixed period, which allows 2N across a period boundary).
     */
    private final class SlidingRateLimit implements RateLimit {
        private final Semaphore permits;

        SlidingRateLimit(int perSecond) {
            this.permits = new Semaphore(perSecond, true);
        }

        @Override
        public Runnable acquire(long maxWaitMs) throws InterruptedException {
            if (!permits.tryAcquire(maxWaitMs, TimeUnit.MILLISECONDS)) {
                return null;
            }
            AtomicBoolean returned = new AtomicBoolean();
            return () -> {
                if (returned.compareAndSet(false, true)) {
                    try {
                        permitReturns.schedule(() -> permits.release(), 1, TimeUnit.SECONDS);
                    } catch (RejectedExecutionException stopped) {
                        // the hub is stopping (its pools are shut down): no later call waits for this permit
                        permits.release();
                    }
                }
            };
        }
    }
}
