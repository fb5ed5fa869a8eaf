package vn.onboardinghub.providers;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.util.Map;

/**
 * Every provider's routes, from the catalog: {@code <p>-call} from the {@code provider-http-call} template (its
 * circuit breaker and bulkhead), and {@code provider-<p>} from the {@code provider-single-call} template — or, for a
 * provider with a longer flow, from its own {@code routes/providers/<p>.camel.yaml}, loaded here (so no list of route
 * files names it). The templates are in {@code routes/providers/provider-call.camel.yaml}.
 */
public class ProviderRoutes extends RouteBuilder {
    private final ProviderCatalog catalog;
    /** Provider → {@code hub.providers.<p>.max-concurrency}. */
    private final Map<String, Integer> maxConcurrency;

    public ProviderRoutes(ProviderCatalog catalog, Map<String, Integer> maxConcurrency) {
        this.catalog = catalog;
        this.maxConcurrency = maxConcurrency;
    }

    @Override
    public void configure() throws Exception {
        for (ProviderAdapter provider : catalog.all()) {
            String name = provider.name();
            templatedRoute("provider-http-call").routeId(name + "-call")
                    .parameter("provider", name)
                    .parameter("maxConcurrency", String.valueOf(maxConcurrency.get(name)));
            String routeFile = ProviderCatalog.routeFile(provider);
            if (routeFile == null) {
                templatedRoute("provider-single-call").routeId("provider-" + name).parameter("provider", name);
            } else {
                Resource resource = ResourceHelper.resolveMandatoryResource(getCamelContext(), routeFile);
                PluginHelper.getRoutesLoader(getCamelContext()).loadRoutes(resource);
            }
        }
    }
}
