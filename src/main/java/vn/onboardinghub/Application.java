package vn.onboardinghub;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.api.HttpListeners;
import vn.onboardinghub.channels.file.FileDropConfiguration;
import vn.onboardinghub.channels.jms.JmsConfiguration;
import vn.onboardinghub.webhooks.WebhooksConfiguration;
import vn.onboardinghub.ops.TracingConfiguration;

import java.util.Map;
import java.util.Optional;

/**
 * Starts the hub: {@code java -jar target/onboarding-hub.jar}; {@code java -jar target/onboarding-hub.jar reencrypt}
 * rewrites the stored results under the first key of {@code hub.crypto.key} instead, and exits.
 */
public final class Application {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);
    static final String PROPERTY_LOCATIONS =
            "classpath:application.properties;optional=true,file:application.properties;optional=true";

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> overrides;
        try {
            overrides = SettingSources.overridesFromEnvironment(System.getenv(), System.getProperties());
        } catch (SettingSources.InvalidSettingException e) {
            // one line naming the setting, not a stack trace
            LOG.error(e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length > 0 && args[0].equals("reencrypt")) {
            try {
                System.exit(ReencryptCommand.run(overrides));
            } catch (StartRefusedException refused) {
                LOG.error("reencrypt cannot run: {}", refused.getMessage());
                System.exit(1);
            }
        }
        try {
            create(overrides).run(args);
        } catch (Exception e) {
            StartRefusedException refused = refusal(e);
            if (refused != null) {
                // the reason and the setting to change, not a stack trace
                LOG.error("the hub cannot start: {}", refused.getMessage());
            } else {
                LOG.error("the hub cannot start", e);
            }
            // exit even though threads (Vert.x, the broker) were started before the failure
            System.exit(1);
        }
    }

    /** The {@link StartRefusedException} among the causes, however deep Camel wrapped it; null when none. */
    private static StartRefusedException refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StartRefusedException refused) {
                return refused;
            }
        }
        return null;
    }

    /** The hub's Camel Main, configured but not started (tests add override properties before starting it). */
    public static Main create() {
        return create(SettingSources.overridesFromEnvironment(System.getenv(), System.getProperties()));
    }

    private static Main create(Map<String, String> overrides) {
        Main main = new Main();
        // in this order: each binds beans the next ones use (the store before the providers, and so on); Camel Main
        // binds the @BindToRegistry beans of them all, then calls their configure methods, in this order too.
        // Instances, not classes: Camel 4.18 post-processes a configuration it creates from its class twice (its
        // injector, then Main), which would run each @BindToRegistry method twice
        main.configure().addConfiguration(new StoreConfiguration());
        main.configure().addConfiguration(new ProvidersConfiguration());
        main.configure().addConfiguration(new OnboardingConfiguration());
        main.configure().addConfiguration(new RestApiConfiguration());
        main.configure().addConfiguration(new OperationsConfiguration());
        main.configure().addConfiguration(new JmsConfiguration());
        main.configure().addConfiguration(new FileDropConfiguration());
        main.configure().addConfiguration(new WebhooksConfiguration());
        main.configure().addConfiguration(new TracingConfiguration());
        main.setPropertyPlaceholderLocations(PROPERTY_LOCATIONS);
        overrides.forEach(main::addOverrideProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configuring) {
                // before anything parses or starts: a bad value stops here with one line, not a stack trace
                checkSettings(configuring.getCamelContext().getPropertiesComponent());
                listenOn(configuring);
            }
        });
        return main;
    }

    /** Every setting known by name (file, overrides, {@code -D}) checked by {@link SettingsCheck}. */
    static void checkSettings(PropertiesComponent props) {
        Settings settings = new Settings(props);
        SettingsCheck.check(settings.names(), settings::raw);
    }

    /**
     * Where the REST and management listeners bind: {@code hub.listen-address} for both when set. Otherwise the REST
     * listener binds 127.0.0.1 in sandbox mode (a demo key and simulators must not be reachable from the network) and
     * every interface outside it, and the management listener (health, metrics, Jolokia, no login) 127.0.0.1 in every
     * mode. {@code camel.server.host} / {@code camel.management.host}, when set, win for their own listener.
     */
    private static void listenOn(BaseMainSupport main) {
        Settings settings = Settings.of(main.getCamelContext());
        boolean sandbox = settings.bool("hub.sandbox.enabled");
        Optional<String> address = settings.optional("hub.listen-address");
        String rest = address.orElse(sandbox ? "127.0.0.1" : "0.0.0.0");
        String management = address.orElse("127.0.0.1");
        main.configure().httpServer().setHost(rest);
        main.configure().httpManagementServer().setHost(management);
        requireFreePort(settings, "camel.server", rest);
        requireFreePort(settings, "camel.management", management);
    }

    /** A REST or management port already in use stops the start with one line naming it, before anything starts. */
    private static void requireFreePort(Settings settings, String listener, String defaultHost) {
        if (settings.bool(listener + ".enabled")) {
            settings.optional(listener + ".port").filter(p -> !p.equals("0")).ifPresent(port -> HttpListeners.requireFree(
                    settings.optional(listener + ".host").orElse(defaultHost), Integer.parseInt(port), listener + ".port"));
        }
    }
}
