package vn.onboardinghub;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import vn.onboardinghub.channels.file.FileDropConfiguration;
import vn.onboardinghub.channels.jms.JmsConfiguration;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/** Starts the hub: {@code java -jar target/onboarding-hub.jar}. */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /** The hub's Camel Main, configured but not started (tests add override properties before starting it). */
    public static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(HubConfiguration.class);
        main.configure().addConfiguration(JmsConfiguration.class);
        main.configure().addConfiguration(FileDropConfiguration.class);
        main.setPropertyPlaceholderLocations(
                "classpath:application.properties;optional=true,file:application.properties;optional=true");
        overridesFromEnvironment(System.getenv(), System.getProperties()).forEach(main::addOverrideProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configuring) {
                listenOn(configuring);
            }
        });
        return main;
    }

    /**
     * Where the REST and management listeners bind: {@code hub.listen-address}, or else 127.0.0.1 in sandbox mode (a
     * demo key and simulators must not be reachable from the network) and every interface otherwise.
     * {@code camel.server.host} / {@code camel.management.host}, when set, win for their own listener.
     */
    private static void listenOn(BaseMainSupport main) {
        PropertiesComponent props = main.getCamelContext().getPropertiesComponent();
        boolean sandbox = Boolean.parseBoolean(props.resolveProperty("hub.sandbox.enabled").map(String::strip).orElse("true"));
        String address = props.resolveProperty("hub.listen-address").map(String::strip).filter(a -> !a.isEmpty())
                .orElse(sandbox ? "127.0.0.1" : "0.0.0.0");
        main.configure().httpServer().setHost(address);
        main.configure().httpManagementServer().setHost(address);
    }

    /**
     * Every key of {@code application.properties} can be overridden by {@code -Dkey=value} or by the environment
     * variable named after it (upper-cased, {@code .} and {@code -} turned into {@code _}); {@code -D} wins.
     * Camel Main alone does not map every key (e.g. {@code CAMEL_SERVER_PORT}).
     */
    static Map<String, String> overridesFromEnvironment(Map<String, String> env, Properties system) {
        Properties defaults = new Properties();
        try (InputStream in = Application.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                defaults.load(in);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read application.properties", e);
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String key : defaults.stringPropertyNames()) {
            String fromEnv = env.get(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
            String value = system.getProperty(key, fromEnv);
            if (value != null) {
                overrides.put(key, value);
            }
        }
        return overrides;
    }
}
