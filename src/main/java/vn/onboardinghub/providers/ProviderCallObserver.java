package vn.onboardinghub.providers;

import org.apache.camel.Exchange;
import org.slf4j.MDC;
import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.ProviderResult;

/**
 * Told about the HTTP calls of one run of a provider route (the hub's metrics are one): set on the exchange (property
 * {@link #PROPERTY}) by whoever watches the route when it starts, and told by the provider code through the static
 * methods, which do nothing when no one watches. Provider code thus depends on this interface, not on the metrics.
 */
public interface ProviderCallObserver {
    String PROPERTY = "providerCallObserver";
    /** The MDC key naming the provider in the log lines of its route. */
    String MDC_PROVIDER = "provider";

    /** An HTTP request to {@code provider} is sent now (the rate limit let it through). */
    void sent(String provider);

    /** The HTTP request got a 2xx answer (its outcome is known once the adapter has read it). */
    void answered();

    /** A call failed with this error code (after the request was sent, or before: then nothing is counted). */
    void failed(ErrorCode code);

    /** The route ended with this result. */
    void done(ProviderResult result);

    static void sent(Exchange exchange) {
        ProviderCallObserver observer = of(exchange);
        if (observer != null) {
            observer.sent(exchange.getProperty(ProviderCalls.PROVIDER, String.class));
        }
    }

    static void answered(Exchange exchange) {
        ProviderCallObserver observer = of(exchange);
        if (observer != null) {
            observer.answered();
        }
    }

    static void failed(Exchange exchange, ErrorCode code) {
        ProviderCallObserver observer = of(exchange);
        if (observer != null) {
            observer.failed(code);
        }
    }

    /**
     * A provider route ended with its result in the body. The thread goes on with the onboarding (aggregation, store),
     * no longer about this provider.
     */
    static void done(Exchange exchange) {
        MDC.remove(MDC_PROVIDER);
        ProviderCallObserver observer = of(exchange);
        if (observer != null) {
            observer.done(exchange.getMessage().getBody(ProviderResult.class));
            exchange.removeProperty(PROPERTY);
        }
    }

    private static ProviderCallObserver of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, ProviderCallObserver.class);
    }
}
