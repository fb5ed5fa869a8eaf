package vn.onboardinghub.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.model.OnboardingResult;

/**
 * Feeds {@link HubMetrics} from Camel's own route hooks, so that no route step names the meters: a route policy on
 * each provider route ({@code provider-<p>}, however it is defined) and one on the core's {@code onboarding} route;
 * other routes get none. Registered once on the context ({@code addRoutePolicyFactory}), before the routes are made.
 */
public final class MeteredRoutes implements RoutePolicyFactory {
    /** A provider's route is {@code provider-<name>} (the templates and a provider's own route file). */
    static final String PROVIDER_ROUTE_PREFIX = "provider-";
    /** The core's fan-out (routes/onboarding.camel.yaml). */
    static final String ONBOARDING_ROUTE = "onboarding";

    private final HubMetrics metrics;

    public MeteredRoutes(HubMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        if (routeId.startsWith(PROVIDER_ROUTE_PREFIX)) {
            return new ProviderRoute(routeId.substring(PROVIDER_ROUTE_PREFIX.length()));
        }
        if (ONBOARDING_ROUTE.equals(routeId)) {
            return new OnboardingRoute();
        }
        return null;
    }

    /**
     * As an exchange enters a provider route, before its first step, on the thread that runs it (the fan-out's copy
     * of the onboarding, on a provider-calls thread; retries stay on it): the provider's calls are metered from here.
     */
    private final class ProviderRoute extends RoutePolicySupport {
        private final String provider;

        ProviderRoute(String provider) {
            this.provider = provider;
        }

        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            metrics.providerRouteStarted(exchange, provider);
        }
    }

    /**
     * As an exchange leaves the onboarding route: counted when its providers were called and the result stored (the
     * body), not for a repeated requestId answered with the earlier onboarding, nor when the route failed.
     */
    private final class OnboardingRoute extends RoutePolicySupport {
        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            if (!exchange.isFailed() && exchange.getProperty(Onboardings.EARLIER) == null
                    && exchange.getMessage().getBody() instanceof OnboardingResult result) {
                metrics.onboardingCompleted(result);
            }
        }
    }
}
