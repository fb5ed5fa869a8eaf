package vn.onboardinghub;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The settings tables of {@code docs/} (the first column of every table whose header is {@code | key |}) and
 * {@code application.properties}, which holds every setting with its default, describe the same settings: a reader
 * finds every {@code hub.*} key the hub has in the reference, and no key there that the hub does not have.
 */
class ConfigurationReferenceTest {
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @Test
    void everySettingOfTheHubIsDocumentedAndEveryDocumentedSettingExists() throws IOException {
        Set<String> shipped = shippedKeys();
        List<String> documented = documentedKeys();

        Set<String> undocumented = new TreeSet<>();
        for (String key : shipped) {
            if (key.startsWith("hub.") && documented.stream().noneMatch(d -> matches(d, key))) {
                undocumented.add(key);
            }
        }
        Set<String> unknown = new TreeSet<>();
        for (String key : documented) {
            boolean named = key.startsWith("hub.api.clients.<") || key.startsWith("hub.bus.clients.<");
            if (!named && shipped.stream().noneMatch(s -> matches(key, s))) {
                unknown.add(key);
            }
        }
        assertThat(undocumented).as("settings of application.properties missing from the tables of docs/").isEmpty();
        assertThat(unknown).as("settings in the tables of docs/ that application.properties does not have").isEmpty();
    }

    @Test
    void theShorthandOfTheTablesIsReadAsAReaderReadsIt() {
        assertThat(expand("`hub.db.url` / `.username` / `.password`"))
                .containsExactly("hub.db.url", "hub.db.username", "hub.db.password");
        assertThat(expand("`camel.component.http.connect-timeout` / `response-timeout`"))
                .containsExactly("camel.component.http.connect-timeout", "camel.component.http.response-timeout");
        assertThat(matches("hub.providers.<p>.enabled", "hub.providers.ghtk.enabled")).isTrue();
        assertThat(matches("hub.providers.<p>.enabled", "hub.providers.ghtk.token")).isFalse();
    }

    private static Set<String> shippedKeys() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application.properties"))) {
            properties.load(in);
        }
        return new TreeSet<>(properties.stringPropertyNames());
    }

    /** The keys named in the first column of the settings tables, shorthand expanded. */
    private static List<String> documentedKeys() throws IOException {
        List<String> keys = new ArrayList<>();
        try (var files = Files.list(Path.of("docs"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
                boolean inTable = false;
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("| key |")) {
                        inTable = true;
                    } else if (!line.startsWith("|")) {
                        inTable = false;
                    } else if (inTable && !line.startsWith("|---")) {
                        keys.addAll(expand(line.split("\\|")[1]));
                    }
                }
            }
        }
        assertThat(keys).as("the settings tables of docs/").hasSizeGreaterThan(50);
        return keys;
    }

    /** {@code `a.b.c` / `.d`} is a.b.c and a.b.d; {@code `a.b.c-d` / `e-f`} is a.b.c-d and a.b.e-f. */
    static List<String> expand(String cell) {
        List<String> keys = new ArrayList<>();
        String previous = null;
        Matcher code = CODE.matcher(cell);
        while (code.find()) {
            String token = code.group(1);
            String key;
            if (token.startsWith(".") && previous != null) {
                key = previous.substring(0, previous.lastIndexOf('.')) + token;
            } else if (!token.contains(".") && previous != null) {
                key = previous.substring(0, previous.lastIndexOf('.') + 1) + token;
            } else {
                key = token;
            }
            keys.add(key);
            previous = key;
        }
        return keys;
    }

    /** A documented key matches a setting; {@code <p>} or {@code <name>} stands for one name. */
    static boolean matches(String documented, String key) {
        return key.matches(Pattern.quote(documented).replaceAll("<[a-z]+>", "\\\\E[a-z0-9-]+\\\\Q"));
    }
}
