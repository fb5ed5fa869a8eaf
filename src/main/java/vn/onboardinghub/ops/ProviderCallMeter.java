package vn.onboardinghub.ops;

import vn.onboardinghub.model.ErrorCode;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.ProviderCallObserver;

/**
 * The HTTP calls of one run of a provider route, metered one at a time: a call is open from the moment its request
 * is sent until its outcome is known — a failure with its error code, or acceptance of its answer, which is known
 * when the next call is sent (ITS: AuthorizeShop, then CurrentShop) or when the route ends with its result. Its
 * duration ends at the answer (or failure), not when the adapter has finished reading it.
 * <p>The object is shared by reference with the copies of the exchange that the circuit breaker makes.
 */
final class ProviderCallMeter implements ProviderCallObserver {
    private final HubMetrics metrics;
    private String provider;
    private long sentAt = -1;
    private long answeredAt = -1;

    ProviderCallMeter(HubMetrics metrics, String provider) {
        this.metrics = metrics;
        this.provider = provider;
    }

    @Override
    public synchronized void sent(String providerProperty) {
        finish(HubMetrics.SUCCEEDED);
        if (providerProperty != null) {
            provider = providerProperty;
        }
        sentAt = metrics.now();
        answeredAt = -1;
    }

    @Override
    public synchronized void answered() {
        if (sentAt >= 0) {
            answeredAt = metrics.now();
        }
    }

    /** Ends the open call, if any, with this outcome; a failure before any request was sent counts nothing. */
    synchronized void finish(String outcome) {
        if (sentAt < 0 || provider == null) {
            return;
        }
        long end = answeredAt >= 0 ? answeredAt : metrics.now();
        metrics.recordCall(provider, outcome, end - sentAt);
        sentAt = -1;
        answeredAt = -1;
    }

    @Override
    public synchronized void failed(ErrorCode code) {
        finish(code.name());
    }

    /** The route's result: an open call was accepted, unless the result is a failure the call caused. */
    @Override
    public synchronized void done(ProviderResult result) {
        boolean failed = result != null && result.status() == ProviderResult.ProviderStatus.FAILED && result.error() != null;
        finish(failed ? result.error().code().name() : HubMetrics.SUCCEEDED);
        String name = provider != null ? provider : result == null ? null : result.provider();
        if (result != null && name != null) {
            metrics.recordResult(name, result);
        }
    }
}
