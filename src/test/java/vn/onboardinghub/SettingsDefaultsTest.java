package vn.onboardinghub;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every default is written once, in {@code application.properties}: each {@code hub.*} key the code or a route reads
 * is there, and each {@code hub.*} key there is read by someone. Named clients' settings
 * ({@code hub.api.clients.<name>.*}, {@code hub.bus.clients.<name>.*}) have no default; a provider's
 * ({@code hub.providers.<name>.*}) are built from its name and count as read when the provider has them.
 */
class SettingsDefaultsTest {
    /** A whole string literal that looks like a key ("hub.x.y"); a prefix ("hub.providers.") ends in a dot and is not one. */
    private static final Pattern LITERAL = Pattern.compile("\"(hub(?:\\.[a-z0-9-]+)+)\"");
    /** A placeholder of a route or of a value in the properties file, with the default it may give. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(hub(?:\\.[a-z0-9-]+)+)(:[^}]*)?}}");
    /** Literals of the sources that look like keys but name no setting: meter names, the data dir's lock file. */
    private static final Set<String> NOT_SETTINGS = Set.of("hub.onboardings", "hub.batch.records",
            "hub.provider.repeated.calls", "hub.provider.calls", "hub.provider.call", "hub.provider.results", "hub.lock",
            "hub.merchant.links.opened", "hub.merchant.actions.started", "hub.merchant.actions.completed", "hub.events.attempts",
            // span attributes of an event's delivery
            "hub.channel", "hub.event.type");

    @Test
    void everyKeyTheCodeOrARouteReadsHasItsDefaultInApplicationProperties() {
        Set<String> read = keysRead();

        assertThat(read).as("the scan finds the keys of the code and of the routes")
                .contains("hub.sandbox.enabled", "hub.hawtio.users", "hub.broker.client-username", "hub.jms.request-queue",
                        "hub.onboarding.sweep-seconds");
        Set<String> missing = new TreeSet<>(read);
        missing.removeAll(shipped().stringPropertyNames());
        assertThat(missing).as("keys read but missing from application.properties").isEmpty();
    }

    @Test
    void routesGiveNoDefaultsOfTheirOwn() {
        Set<String> withDefault = new TreeSet<>();
        for (String text : routes().values()) {
            Matcher placeholder = PLACEHOLDER.matcher(text);
            while (placeholder.find()) {
                if (placeholder.group(2) != null) {
                    withDefault.add(placeholder.group());
                }
            }
        }
        assertThat(withDefault).as("placeholders with a default in the routes (write it in application.properties)").isEmpty();
    }

    @Test
    void everyHubKeyOfApplicationPropertiesIsRead() {
        Set<String> read = keysRead();
        Properties shipped = shipped();
        // a value may name another setting ({{hub.data-dir}}/inbox, the bulkhead's {{hub.providers.max-wait-ms}})
        shipped.stringPropertyNames().forEach(key -> placeholders(shipped.getProperty(key), read));
        Map<String, Set<String>> providerKeys = new java.util.HashMap<>();
        for (ProviderAdapter provider : new ProviderCatalog(new ObjectMapper()).all()) {
            Set<String> keys = new HashSet<>(ProvidersConfiguration.PROVIDER_DEFAULTS.keySet());
            keys.addAll(provider.settingKeys());
            providerKeys.put(provider.name(), keys);
        }
        Pattern providerKey = Pattern.compile("hub\\.providers\\.([^.]+)\\.(.+)");

        Set<String> unread = new TreeSet<>();
        for (String key : shipped.stringPropertyNames()) {
            if (!key.startsWith("hub.") || read.contains(key)) {
                continue;
            }
            Matcher provider = providerKey.matcher(key);
            if (provider.matches() && providerKeys.getOrDefault(provider.group(1), Set.of()).contains(provider.group(2))) {
                continue;
            }
            unread.add(key);
        }
        assertThat(unread).as("keys of application.properties nobody reads").isEmpty();
    }

    @Test
    void theLiteralsThatAreNoSettingsAreStillInTheSources() {
        Set<String> literals = new HashSet<>();
        sources().values().forEach(text -> {
            Matcher literal = LITERAL.matcher(text);
            while (literal.find()) {
                literals.add(literal.group(1));
            }
        });
        assertThat(literals).containsAll(NOT_SETTINGS);
    }

    @Test
    void aKeyIsReadWithoutADefaultAndABlankValueFallsBackToTheShippedOne() {
        Settings settings = settings(Map.of("hub.file.concurrency", " ", "hub.data-dir", "/srv/hub", "hub.jms.concurrency", " 3 ",
                "hub.api.clients.erp.keys", " erp-key ", "hub.hawtio.users", "  "));

        // blank (an empty variable, say) is unset: the shipped default, placeholders resolved
        assertThat(settings.integer("hub.file.concurrency")).isEqualTo(8);
        assertThat(settings.string("hub.file.inbox")).isEqualTo("/srv/hub/inbox");
        assertThat(settings.integer("hub.jms.concurrency")).isEqualTo(3);
        assertThat(settings.seconds("hub.onboarding.sweep-seconds")).hasSeconds(30);
        assertThat(settings.list("hub.providers.packages")).containsExactly("vn.onboardinghub.providers");
        assertThat(settings.string("hub.hawtio.users")).isEmpty();
        assertThat(settings.optional("hub.db.url")).isEmpty();
        // the value as given, for the checks where blank counts as set
        assertThat(settings.raw("hub.hawtio.users")).isEqualTo("  ");
        // settings without a default: named clients', providers'
        assertThat(settings.optional("hub.api.clients.erp.keys")).contains("erp-key");
        assertThat(settings.optional("hub.api.clients.pos.keys")).isEmpty();
        assertThat(settings.names()).contains("hub.api.clients.erp.keys", "hub.file.inbox");
        // a key without a default in application.properties is a programming error
        assertThatThrownBy(() -> settings.string("hub.file.no-such-setting")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hub.file.no-such-setting").hasMessageContaining("application.properties");
    }

    private static Settings settings(Map<String, String> overrides) {
        PropertiesComponent props = new DefaultCamelContext().getPropertiesComponent();
        props.setLocation("classpath:application.properties");
        Properties overriding = new Properties();
        overriding.putAll(overrides);
        props.setOverrideProperties(overriding);
        return new Settings(props);
    }

    /** The hub.* keys named by the Java sources (whole literals) and the routes (placeholders). */
    private static Set<String> keysRead() {
        Set<String> read = new TreeSet<>();
        sources().values().forEach(text -> {
            Matcher literal = LITERAL.matcher(text);
            while (literal.find()) {
                if (!NOT_SETTINGS.contains(literal.group(1))) {
                    read.add(literal.group(1));
                }
            }
            placeholders(text, read);
        });
        routes().values().forEach(text -> placeholders(text, read));
        return read;
    }

    private static void placeholders(String text, Set<String> into) {
        Matcher placeholder = PLACEHOLDER.matcher(text);
        while (placeholder.find()) {
            into.add(placeholder.group(1));
        }
    }

    private static Map<Path, String> sources() {
        return read(Path.of("src", "main", "java"), ".java");
    }

    private static Map<Path, String> routes() {
        return read(Path.of("routes"), ".yaml");
    }

    private static Map<Path, String> read(Path root, String suffix) {
        Map<Path, String> texts = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(suffix)).toList()) {
                texts.put(file, Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(texts).as("files under " + root).isNotEmpty();
        return texts;
    }

    /** The project's application.properties (the one the jar ships). */
    private static Properties shipped() {
        Properties shipped = new Properties();
        try (var in = Files.newBufferedReader(Path.of("application.properties"))) {
            shipped.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return shipped;
    }
}
