package vn.onboardinghub.core;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.ProviderCallObserver;

import java.util.List;

/**
 * Collects each provider route's {@link ProviderResult} into the fan-out's input exchange. Aggregating into the
 * input (rather than into the first provider's exchange) keeps one provider's handled failure from marking the
 * whole onboarding as handled, which would stop the route before the results are stored.
 */
public class ProviderResultsAggregation implements AggregationStrategy {
    public static final String RESULTS = "providerResults";

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        throw new UnsupportedOperationException("needs the input exchange");
    }

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange, Exchange inputExchange) {
        // a synchronized list, started by Onboardings.start (with any results reused from earlier onboardings)
        if (newExchange.getException() != null) {
            // not a provider's failure (that is its FAILED result) but a refusal before any call, e.g. a callback
            // without its parameters: the calling route answers it
            inputExchange.setException(newExchange.getException());
            return inputExchange;
        }
        List<ProviderResult> results = inputExchange.getProperty(RESULTS, List.class);
        results.add(newExchange.getMessage().getBody(ProviderResult.class));
        ProviderCallObserver.done(newExchange);
        return inputExchange;
    }
}
