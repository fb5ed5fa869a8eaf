package vn.onboardinghub;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The hub's settings, typed, over Camel's properties (the properties files, override properties, {@code -D}, the
 * environment as {@link Application} maps it). Every default is written once, in the shipped
 * {@code application.properties}: code asks for a key without a default, and asking for a key that file does not
 * have is a programming error ({@link IllegalArgumentException}). A value left blank (an empty variable, a blank line
 * in a deployment's own file) counts as unset: the shipped default applies, placeholders resolved. Settings without
 * a shipped default (a named client's, a provider's built from its name) are read with {@link #optional}.
 */
public final class Settings {
    /** The shipped defaults, as read from the class path. */
    private static final Properties DEFAULTS = shippedDefaults();

    private final PropertiesComponent props;

    public Settings(PropertiesComponent props) {
        this.props = props;
    }

    public static Settings of(CamelContext context) {
        return new Settings(context.getPropertiesComponent());
    }

    /** The keys of the shipped {@code application.properties}: every setting with a default (perhaps empty). */
    public static Set<String> shippedKeys() {
        return new TreeSet<>(DEFAULTS.stringPropertyNames());
    }

    /** The value, stripped; empty when blank here and in the shipped defaults. */
    public String string(String key) {
        return shipped(key).orElse("");
    }

    public int integer(String key) {
        return Integer.parseInt(required(key));
    }

    public long number(String key) {
        return Long.parseLong(required(key));
    }

    public float decimal(String key) {
        return Float.parseFloat(required(key));
    }

    /** {@code true} (any case) is true, anything else false, as {@link Boolean#parseBoolean}. */
    public boolean bool(String key) {
        return Boolean.parseBoolean(required(key));
    }

    /** A whole number of seconds. */
    public Duration seconds(String key) {
        return Duration.ofSeconds(number(key));
    }

    /** A whole number of milliseconds. */
    public Duration millis(String key) {
        return Duration.ofMillis(number(key));
    }

    /** The comma-separated items, each stripped, without empty ones. */
    public List<String> list(String key) {
        return Arrays.stream(string(key).split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList();
    }

    /**
     * Any setting, shipped or not (a named client's, a provider's): the value stripped, empty when unset or blank
     * (then the shipped default, when there is one).
     */
    public Optional<String> optional(String key) {
        Optional<String> given = props.resolveProperty(key).map(String::strip).filter(v -> !v.isEmpty());
        if (given.isPresent() || !DEFAULTS.containsKey(key)) {
            return given;
        }
        String shipped = DEFAULTS.getProperty(key);
        // with the placeholders resolved ({{hub.data-dir}}/inbox), overridden or not
        return Optional.of(shipped.contains("{{") ? props.parseUri(shipped) : shipped).map(String::strip).filter(v -> !v.isEmpty());
    }

    /** The value as it was given, not stripped, null when unset (for the checks where blank counts as set). */
    public String raw(String key) {
        return props.resolveProperty(key).orElse(null);
    }

    /** Every key known by name: the properties files', the override properties' ({@code -D}, the environment). */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        props.loadPropertiesAsMap().keySet().forEach(key -> names.add(String.valueOf(key)));
        return names;
    }

    private Optional<String> shipped(String key) {
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException(key + " is read without a default: add it to application.properties");
        }
        return optional(key);
    }

    private String required(String key) {
        return shipped(key).orElseThrow(() -> new IllegalStateException(key + " ("
                + SettingsCheck.variable(key) + ") must be set"));
    }

    private static Properties shippedDefaults() {
        Properties defaults = new Properties();
        try (InputStream in = Settings.class.getResourceAsStream("/application.properties")) {
            if (in == null) {
                throw new IllegalStateException("application.properties is missing from the class path");
            }
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read application.properties", e);
        }
        return defaults;
    }
}
