package vn.onboardinghub;

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
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where settings come from besides the properties files: {@code -D}, the environment, and files named by
 * {@code _FILE} variables. Read once, before Camel Main starts, into override properties.
 */
final class SettingSources {
    private SettingSources() {
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
}
