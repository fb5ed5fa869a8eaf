package vn.onboardinghub;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import vn.onboardinghub.core.AccountKeys;
import vn.onboardinghub.core.Callbacks;
import vn.onboardinghub.core.MerchantLinks;
import vn.onboardinghub.core.Onboardings;
import vn.onboardinghub.core.ProviderResultsAggregation;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.store.MerchantLinkStore;
import vn.onboardinghub.store.OnboardingStore;
import vn.onboardinghub.store.OutageWait;
import vn.onboardinghub.validation.RequestReader;

import javax.sql.DataSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * Third of the hub's wiring, after {@link ProvidersConfiguration}: the onboarding flow every channel runs
 * ({@code onboardings}: read the request, claim it in the store, ask the providers, store the result), how the
 * providers' results are gathered ({@code providerResultsAggregation}) and the links of the onboardings that wait for
 * the merchant ({@code merchantLinks}).
 */
public class OnboardingConfiguration implements CamelConfiguration {

    /**
     * The links a merchant opens to finish an onboarding that waits for it, signed with the callback key; a provider
     * callback of a flow the merchant started on that page sends the browser back to it.
     */
    @BindToRegistry("merchantLinks")
    public MerchantLinks merchantLinks(CamelContext context, @BeanInject("hubDataSource") DataSource dataSource,
            @BeanInject("onboardingStore") OnboardingStore store, @BeanInject("callbacks") Callbacks callbacks) throws IOException {
        Settings settings = Settings.of(context);
        MerchantLinks links = new MerchantLinks(ProvidersConfiguration.callbackKey(settings), settings.string("hub.public-base-url"),
                Duration.ofHours(settings.integer("hub.merchant-link.ttl-hours")), new MerchantLinkStore(dataSource), store,
                Clock.systemUTC());
        callbacks.backToPageWith(links);
        return links;
    }

    @BindToRegistry("onboardings")
    public Onboardings onboardings(CamelContext context, @BeanInject("objectMapper") ObjectMapper mapper,
            @BeanInject("providerCatalog") ProviderCatalog catalog, @BeanInject("onboardingStore") OnboardingStore store,
            @BeanInject("accountKeys") AccountKeys accountKeys, @BeanInject("outageWait") OutageWait outageWait,
            @BeanInject("merchantLinks") MerchantLinks merchantLinks) {
        Settings settings = Settings.of(context);
        Onboardings onboardings = new Onboardings(new RequestReader(mapper, catalog,
                ProvidersConfiguration.defaultProviders(settings, catalog)), store, mapper,
                settings.seconds("hub.onboarding.abandoned-after-seconds"), catalog, accountKeys, merchantLinks);
        onboardings.waitOutagesWith(outageWait);
        return onboardings;
    }

    @BindToRegistry("providerResultsAggregation")
    public ProviderResultsAggregation providerResultsAggregation() {
        return new ProviderResultsAggregation();
    }
}
