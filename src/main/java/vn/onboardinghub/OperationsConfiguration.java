package vn.onboardinghub;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import vn.onboardinghub.core.Callbacks;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.ops.HawtioConsole;
import vn.onboardinghub.ops.HubMetrics;
import vn.onboardinghub.ops.MeteredRoutes;
import vn.onboardinghub.page.MerchantPage;

/**
 * Last of the hub's wiring, after {@link RestApiConfiguration}: what operators see. The hub's meters
 * ({@code hubMetrics}, in Camel's {@code metricsRegistry}) fed by the routes, the onboardings, the merchant page and
 * the circuit breakers,
 * and the Hawtio console ({@code hub.hawtio.*}).
 */
public class OperationsConfiguration implements CamelConfiguration {

    @BindToRegistry("hubMetrics")
    public HubMetrics hubMetrics(CamelContext context) {
        return HubMetrics.bindTo(context);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        var registry = context.getRegistry();
        HubMetrics metrics = registry.lookupByNameAndType("hubMetrics", HubMetrics.class);
        // the provider routes and the onboarding route feed the meters through route policies, not route steps
        context.addRoutePolicyFactory(new MeteredRoutes(metrics));
        registry.lookupByNameAndType("onboardings", Onboardings.class).countRepeatsWith(metrics::providerCallRepeated);
        // the merchant page: pages shown or refused, buttons pressed; actions completed through callbacks too
        registry.lookupByNameAndType("merchantPage", MerchantPage.class).countWith(metrics);
        registry.lookupByNameAndType("callbacks", Callbacks.class).countCompletionsWith(metrics::merchantActionCompleted);
        // resilience4j_circuitbreaker_state{name=<provider>, state=closed|open|half_open|...} and its call counters
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry.lookupByNameAndType("circuitBreakers",
                CircuitBreakerRegistry.class)).bindTo(metrics.registry());
        // the Hawtio console (hub.hawtio.*), started and stopped with the context; deployed once the routes run
        Settings settings = Settings.of(context);
        HawtioConsole console = HawtioConsole.fromSettings(settings, settings.bool("hub.sandbox.enabled"));
        context.addService(console, true, true);
        context.addStartupListener(console);
    }
}
