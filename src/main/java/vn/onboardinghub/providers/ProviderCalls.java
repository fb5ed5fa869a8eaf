package vn.onboardinghub.providers;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.ProviderError;
import vn.onboardinghub.model.ProviderResult;

import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every provider call shares, used by the {@code provider-call} route configuration: counting calls (after
 * waiting for the provider's rate limit), deciding retries (retryable errors only, {@code Retry-After} honoured,
 * never while the circuit is open), and turning a failure into a result through the provider's own error mapper.
 */
public class ProviderCalls implements Processor {
    public static final String PROVIDER = "provider";
    private static final String CALLS = "providerCalls";
    private static final Logger LOG = LoggerFactory.getLogger(ProviderCalls.class);

    private final ProviderCatalog catalog;
    private final ProviderGuards guards;
    private final int maxAttempts;
    private final long maxRetryAfterMs;

    public ProviderCalls(ProviderCatalog catalog, ProviderGuards guards, int maxAttempts, long maxRetryAfterMs) {
        this.catalog = catalog;
        this.guards = guards;
        this.maxAttempts = maxAttempts;
        this.maxRetryAfterMs = maxRetryAfterMs;
    }

    /**
     * At the start of a provider route. The counter is an object because the circuit breaker runs the call on a
     * copy of the exchange and hands back only the exception of a failed call.
     */
    public void begin(Exchange exchange) {
        exchange.setProperty(CALLS, new Calls());
    }

    /**
     * Called before every HTTP request to a provider, retries included: waits for the rate limit, then counts and
     * tells the observer the call is sent (its timer starts here, not while waiting for the rate limit). The
     * rate-limit permit is held until the call has ended ({@link #answered}, or a failure in {@link #process}).
     */
    public void countCall(Exchange exchange) throws InterruptedException {
        String provider = exchange.getProperty(PROVIDER, String.class);
        Runnable permit = guards.awaitCallPermit(provider);
        if (permit == null) {
            throw new CallRefusedException(ProviderError.of(ErrorCode.RATE_LIMITED, "hub.providers." + provider
                    + ".rate-limit was reached and no call was possible within " + guards.maxWaitMs() + " ms"));
        }
        Calls calls = exchange.getProperty(CALLS, Calls.class);
        calls.count.incrementAndGet();
        calls.permit = permit;
        ProviderCallObserver.sent(exchange);
    }

    /** After a 2xx answer (the interceptor's {@code afterUri}). */
    public void answered(Exchange exchange) {
        ended(exchange);
        ProviderCallObserver.answered(exchange);
    }

    private static void ended(Exchange exchange) {
        Calls calls = exchange.getProperty(CALLS, Calls.class);
        Runnable permit = calls == null ? null : calls.permit;
        if (permit != null) {
            calls.permit = null;
            permit.run();
        }
    }

    public static int attempts(Exchange exchange) {
        Calls calls = exchange.getProperty(CALLS, Calls.class);
        return calls == null ? 0 : calls.count.get();
    }

    /** The calls of one run of a provider route: how many were made, and the rate-limit permit of the open one. */
    private static final class Calls {
        final AtomicInteger count = new AtomicInteger();
        volatile Runnable permit;
    }

    /**
     * What the circuit breaker counts as a failure: the provider is down or overloaded (5xx, no connection,
     * timeout). A 4xx, a 429 included, is the provider answering; the hub's own limits are not the provider's fault.
     */
    public static boolean isOutage(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof HttpOperationFailedException e) {
            return e.getStatusCode() >= 500;
        }
        return !(t instanceof CallRefusedException) && isNetworkFailure(t);
    }

    /** {@code retryWhile}: retry retryable errors until {@code hub.retry.max-attempts} calls were made. */
    public boolean shouldRetry(Exchange exchange) {
        Throwable failure = failure(exchange);
        ProviderError error = classify(exchange, failure);
        if (attempts(exchange) >= maxAttempts || !error.retryable() || error.code() == ErrorCode.CIRCUIT_OPEN) {
            return false;
        }
        Long retryAfter = retryAfterMillis(failure);
        return retryAfter == null || retryAfter <= maxRetryAfterMs;
    }

    /** {@code onExceptionOccurred}: runs before the next delay is computed, so a Retry-After can set it. */
    @Override
    public void process(Exchange exchange) {
        ended(exchange);
        Throwable failure = failure(exchange);
        Long retryAfter = retryAfterMillis(failure);
        if (retryAfter != null) {
            exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, retryAfter);
        } else {
            exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        }
        ProviderError error = classify(exchange, failure);
        ProviderCallObserver.failed(exchange, error.code());
        if (error.retryable()) {
            LOG.info("{} call {} failed: {} (status {})", exchange.getProperty(PROVIDER), attempts(exchange),
                    error.code(), error.providerStatus());
        }
    }

    /** The handled failure as this provider's result. */
    public ProviderResult failed(Exchange exchange) {
        ProviderError error = classify(exchange, failure(exchange));
        ProviderCallObserver.failed(exchange, error.code());
        return adapter(exchange).errorResult(error, attempts(exchange));
    }

    private ProviderError classify(Exchange exchange, Throwable failure) {
        String provider = exchange.getProperty(PROVIDER, String.class);
        if (failure instanceof NotConfiguredException e) {
            return ProviderError.of(ErrorCode.NOT_CONFIGURED, e.getMessage());
        }
        if (failure instanceof CallNotPermittedException) {
            return ProviderError.of(ErrorCode.CIRCUIT_OPEN, provider + " failed repeatedly: the hub stops calling it"
                    + " for a while (circuit breaker open); try again later");
        }
        if (failure instanceof BulkheadFullException) {
            return ProviderError.of(ErrorCode.RATE_LIMITED, "hub.providers." + provider + ".max-concurrency calls were"
                    + " already in flight and none finished in time");
        }
        if (failure instanceof CallRefusedException e) {
            return e.error();
        }
        if (failure instanceof HttpOperationFailedException e) {
            return adapter(exchange).mapError(e.getStatusCode(), e.getResponseBody());
        }
        if (failure instanceof UnexpectedResponseException e) {
            return e.error();
        }
        if (isNetworkFailure(failure)) {
            return ProviderError.of(ErrorCode.PROVIDER_UNAVAILABLE,
                    provider + " could not be reached: " + failure.getClass().getSimpleName());
        }
        LOG.warn("{} call failed unexpectedly: {}", provider, failure == null ? "unknown" : failure.getClass().getName());
        return ProviderError.of(ErrorCode.UNEXPECTED_RESPONSE, provider + " call failed in a way the hub cannot interpret");
    }

    private static boolean isNetworkFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private ProviderAdapter adapter(Exchange exchange) {
        return catalog.get(exchange.getProperty(PROVIDER, String.class));
    }

    private static Throwable failure(Exchange exchange) {
        Throwable e = exchange.getException();
        return unwrap(e != null ? e : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
    }

    /** The circuit breaker wraps the call's checked exceptions (e.g. HttpOperationFailedException). */
    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof RuntimeCamelException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** {@code Retry-After} of a 429 or 503, in seconds or as an HTTP date. */
    static Long retryAfterMillis(Throwable failure) {
        if (!(failure instanceof HttpOperationFailedException e) || e.getResponseHeaders() == null) {
            return null;
        }
        String value = e.getResponseHeaders().entrySet().stream()
                .filter(h -> "retry-after".equalsIgnoreCase(h.getKey()))
                .map(h -> h.getValue()).findFirst().orElse(null);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(value.strip()) * 1000);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
