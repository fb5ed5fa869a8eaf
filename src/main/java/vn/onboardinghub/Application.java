package vn.onboardinghub;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.api.HttpListeners;
import vn.onboardinghub.channels.file.FileDropConfiguration;
import vn.onboardinghub.channels.jms.JmsConfiguration;
import vn.onboardinghub.store.ResultCipher;
import vn.onboardinghub.store.StoredResultsReencryption;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the hub: {@code java -jar target/onboarding-hub.jar}; {@code java -jar target/onboarding-hub.jar reencrypt}
 * rewrites the stored results under the first key of {@code hub.crypto.key} instead, and exits.
 */
public final class Application {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);
    private static final String PROPERTY_LOCATIONS =
            "classpath:application.properties;optional=true,file:application.properties;optional=true";
    /** Rows read per query by {@code reencrypt}. */
    private static final int REENCRYPT_BATCH = 500;

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> overrides;
        try {
            overrides = overridesFromEnvironment(System.getenv(), System.getProperties());
        } catch (InvalidSettingException e) {
            // one line naming the setting, not a stack trace
            LOG.error(e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length > 0 && args[0].equals("reencrypt")) {
            try {
                System.exit(reencrypt(overrides));
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
        return create(overridesFromEnvironment(System.getenv(), System.getProperties()));
    }

    private static Main create(Map<String, String> overrides) {
        Main main = new Main();
        main.configure().addConfiguration(HubConfiguration.class);
        main.configure().addConfiguration(JmsConfiguration.class);
        main.configure().addConfiguration(FileDropConfiguration.class);
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

    /**
     * Every key of {@code application.properties} can be overridden by {@code -Dkey=value}, by the environment
     * variable named after it (upper-cased, {@code .} and {@code -} turned into {@code _}), or by that variable's name
     * + {@code _FILE} naming a file that holds the value (the container secrets convention, e.g.
     * {@code HUB_CRYPTO_KEY_FILE=/run/secrets/crypto}; trailing line breaks are dropped). {@code -D} wins over both
     * (the file is then not read); a variable and its {@code _FILE} both set is refused, as is a file that cannot be
     * read. Camel Main alone does not map every key (e.g. {@code CAMEL_SERVER_PORT}).
     *
     * @throws InvalidSettingException naming the variable, never its value or the file's content
     */
    static Map<String, String> overridesFromEnvironment(Map<String, String> env, Properties system) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String key : Settings.shippedKeys()) {
            String value = system.getProperty(key);
            if (value == null) {
                value = fromEnvironment(env, key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
            }
            if (value != null) {
                overrides.put(key, value);
            }
        }
        // named clients are not in application.properties: HUB_API_CLIENTS_<NAME>_KEYS, _READ_ALL, _RATE_LIMIT,
        // _WEBHOOK_URL, _WEBHOOK_SECRET and HUB_BUS_CLIENTS_<NAME>_PASSWORD, _REPLY_QUEUES (and their _FILE forms) are
        // hub.api.clients.<name>.keys … / hub.bus.clients.<name>.password …, the name lower-cased with '_' read as '-'
        for (String variable : new TreeSet<>(env.keySet())) {
            String unfiled = variable.endsWith("_FILE") ? variable.substring(0, variable.length() - 5) : variable;
            for (Map.Entry<String, Pattern> clients : CLIENT_VARIABLES.entrySet()) {
                Matcher client = clients.getValue().matcher(unfiled);
                if (client.matches()) {
                    String key = clients.getKey() + client.group(1).toLowerCase(Locale.ROOT).replace('_', '-') + "."
                            + client.group(2).toLowerCase(Locale.ROOT).replace('_', '-');
                    String value = system.getProperty(key);
                    overrides.putIfAbsent(key, value != null ? value : fromEnvironment(env, client.group()));
                }
            }
        }
        // every other -Dhub.… (named clients, keys not in application.properties) reaches the hub as the file's keys do
        for (String key : new TreeSet<>(system.stringPropertyNames())) {
            if (key.startsWith("hub.")) {
                overrides.putIfAbsent(key, system.getProperty(key));
            }
        }
        return overrides;
    }

    /** The key prefix each kind of named client's settings have, and the variables that set them. */
    private static final Map<String, Pattern> CLIENT_VARIABLES = Map.of(
            "hub.api.clients.", Pattern.compile("HUB_API_CLIENTS_([A-Z0-9_]+?)_(KEYS|READ_ALL|RATE_LIMIT|WEBHOOK_URL|WEBHOOK_SECRET)"),
            "hub.bus.clients.", Pattern.compile("HUB_BUS_CLIENTS_([A-Z0-9_]+?)_(PASSWORD|REPLY_QUEUES)"));

    /** The variable's value, or the content of the file its {@code _FILE} variable names; null when neither is set. */
    private static String fromEnvironment(Map<String, String> env, String variable) {
        String value = env.get(variable);
        String file = env.get(variable + "_FILE");
        if (file == null) {
            return value;
        }
        // an empty variable counts as unset (compose files often pass VAR= through)
        if (value != null && !value.isEmpty()) {
            throw new InvalidSettingException("both " + variable + " and " + variable + "_FILE are set: set only one");
        }
        try {
            return Files.readString(Path.of(file)).replaceFirst("[\r\n]+\\z", "");
        } catch (IOException | InvalidPathException e) {
            throw new InvalidSettingException("cannot read " + variable + "_FILE (" + printable(file) + "): " + reason(e));
        }
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        // an IOException's message names the file or the system's reason, never what the file holds
        return e.getMessage() != null ? printable(e.getMessage()) : e.getClass().getSimpleName();
    }

    /** Control characters (a line break in a path) would forge log lines: shown as {@code \}{@code uXXXX}. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> out.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : Character.toString(c)));
        return out.toString();
    }

    /** A setting the hub cannot start with; its message names the setting and never holds a secret. */
    static final class InvalidSettingException extends IllegalStateException {
        InvalidSettingException(String message) {
            super(message);
        }
    }

    /**
     * The {@code reencrypt} command: with the hub's own settings (same files, {@code -D}, environment), opens its
     * database and rewrites every stored result not under the first key of {@code hub.crypto.key}, then prints the
     * counts. Exit 0 when every row is now under the first key, 1 otherwise (rows no listed key reads, or rows a hub
     * kept rewriting under an older key).
     */
    static int reencrypt(Map<String, String> overrides) throws Exception {
        // a Camel context only for its property resolution (placeholders, locations, overrides): never started, so
        // there is nothing to stop (closing it would only log a shutdown)
        PropertiesComponent props = new DefaultCamelContext().getPropertiesComponent();
        props.setLocation(PROPERTY_LOCATIONS);
        Properties overriding = new Properties();
        overriding.putAll(overrides);
        props.setOverrideProperties(overriding);
        checkSettings(props);
        Settings settings = new Settings(props);
        boolean sandboxMode = settings.bool("hub.sandbox.enabled");
        Path dataDir = Path.of(settings.string("hub.data-dir")).toAbsolutePath();
        ResultCipher cipher = new ResultCipher(HubConfiguration.cryptoKeys(settings, dataDir, sandboxMode));
        try (HikariDataSource dataSource = HubConfiguration.dataSource(settings, dataDir)) {
            Map<String, StoredResultsReencryption.Counts> counts =
                    new StoredResultsReencryption(dataSource, cipher, REENCRYPT_BATCH).run();
            boolean complete = true;
            for (var table : counts.entrySet()) {
                StoredResultsReencryption.Counts c = table.getValue();
                System.out.printf("reencrypt %s: %d rewritten, %d already under the first key, %d unreadable,"
                        + " %d changed meanwhile%n", table.getKey(), c.rewritten(), c.alreadyUnderFirstKey(),
                        c.unreadable(), c.changedMeanwhile());
                complete &= c.complete();
            }
            System.out.println(complete ? "reencrypt: every stored result is under the first key of hub.crypto.key"
                    : "reencrypt: some stored results are not under the first key: keep the older keys in"
                    + " hub.crypto.key and run reencrypt again (unreadable rows need the key that wrote them)");
            return complete ? 0 : 1;
        }
    }
}
