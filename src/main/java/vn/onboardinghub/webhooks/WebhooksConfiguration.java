package vn.onboardinghub.webhooks;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.Settings;
import vn.onboardinghub.store.OnboardingStore;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds {@code webhookDeliveries} for {@code routes/webhooks.camel.yaml} and the webhook API routes: the API clients
 * with a {@code hub.api.clients.<name>.webhook-url} (checked before the start, see {@code SettingsCheck}), and tells
 * the result store ({@code onboardingStore}) to write their events to the outbox. Reads {@code hub.webhooks.*}.
 */
public class WebhooksConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(WebhooksConfiguration.class);
    private static final Pattern URL_KEY = Pattern.compile("hub\\.api\\.clients\\.([^.]+)\\.webhook-url");

    private WebhookDeliveries deliveries;

    @BindToRegistry("webhookDeliveries")
    public WebhookDeliveries webhookDeliveries(CamelContext context, @BeanInject("onboardingStore") OnboardingStore store) {
        Settings settings = Settings.of(context);
        Map<String, WebhookDeliveries.Target> targets = new LinkedHashMap<>();
        for (String key : settings.names()) {
            Matcher url = URL_KEY.matcher(key);
            if (url.matches() && settings.optional(key).isPresent()) {
                String client = url.group(1);
                targets.put(client, new WebhookDeliveries.Target(URI.create(settings.optional(key).get()),
                        WebhookSigner.of(settings.optional("hub.api.clients." + client + ".webhook-secret").orElse(""))));
            }
        }
        ExecutorService executor = context.getExecutorServiceManager().newFixedThreadPool(this, "webhook-deliveries",
                settings.integer("hub.webhooks.concurrency"));
        deliveries = new WebhookDeliveries(targets, store.webhooks(),
                new WebhookTargets(settings.bool("hub.sandbox.enabled"), settings.bool("hub.webhooks.allow-private-targets")),
                new WebhookDeliveries.Retries(settings.millis("hub.webhooks.retry-initial-ms"),
                        settings.millis("hub.webhooks.retry-max-ms"), settings.seconds("hub.webhooks.give-up-after-seconds"),
                        Duration.ofDays(settings.number("hub.webhooks.keep-days"))),
                settings.millis("hub.webhooks.connect-timeout-ms"), settings.millis("hub.webhooks.response-timeout-ms"),
                instanceName(), executor);
        // from now on the store writes these clients' events with every change of their results
        store.sendEventsFor(deliveries::hasWebhook);
        if (!targets.isEmpty()) {
            LOG.info("webhooks: clients {} hear about every change of their onboardings", targets.keySet());
        }
        return deliveries;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        // its HTTP client closed once the routes stopped, before the store's data source is
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws IOException {
                deliveries.close();
            }
        }, true, true);
    }

    /** Who holds a claim (host and a random part, so two instances on one host differ). */
    private static String instanceName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown";
        }
        String name = host + "-" + UUID.randomUUID().toString().substring(0, 8);
        return name.length() > 100 ? name.substring(name.length() - 100) : name;
    }
}
