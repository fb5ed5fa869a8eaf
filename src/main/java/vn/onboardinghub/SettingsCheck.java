package vn.onboardinghub;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The settings checked before anything starts, each by name: a number or a true/false of the wrong form or out of
 * range, and (outside sandbox mode) a weak or placeholder secret, stop the start with one line naming the setting and
 * its environment variable, never the value (it may be a secret given to the wrong setting).
 *
 * <p>Secrets outside sandbox mode, in one place:
 * <ul>
 * <li>{@link #STRONG_SECRETS} and {@link #STRONG_SECRET_PATTERNS}, keys only machines read (the callback signing key,
 * the broker logins, bus clients' passwords, webhook signing secrets): at least
 * {@value #MIN_SECRET_BYTES} bytes (e.g. {@code openssl rand -base64 32}), and not a placeholder;</li>
 * <li>{@code hub.crypto.key}: base64 of 32 bytes, each key of the list (in every mode);</li>
 * <li>every other setting (API keys, database and provider passwords, console users …): not a placeholder. API keys
 * have no length rule: a key may be given as its SHA-256 ({@code sha256:…}), whose length says nothing about the
 * key, and refused keys are throttled per address ({@code hub.api.refused-keys-per-minute}); docs/configuration.md asks for 32
 * random bytes. Passwords of systems the hub logs in to are set by those systems' owners.</li>
 * </ul>
 */
public final class SettingsCheck {
    static final int MIN_SECRET_BYTES = 32;
    /** Secrets that must be at least {@value #MIN_SECRET_BYTES} bytes outside sandbox mode. */
    static final List<String> STRONG_SECRETS = List.of("hub.callback.secret", "hub.broker.password", "hub.broker.client-password");
    /** The same for named clients' secrets: a bus client's broker password, an API client's webhook signing secret. */
    static final List<Pattern> STRONG_SECRET_PATTERNS = List.of(Pattern.compile("hub\\.bus\\.clients\\.[^.]+\\.password"),
            Pattern.compile("hub\\.api\\.clients\\.[^.]+\\.webhook-secret"));

    private static final int MAX = Integer.MAX_VALUE;
    /** Whole-number settings and their smallest and largest values. */
    private static final Map<String, long[]> WHOLE_NUMBERS = new LinkedHashMap<>();
    /** The same for settings named by a pattern (a provider's, a client's). */
    private static final Map<Pattern, long[]> WHOLE_NUMBER_PATTERNS = new LinkedHashMap<>();
    private static final Set<String> BOOLEANS = Set.of("hub.sandbox.enabled", "hub.broker.embedded",
            "hub.webhooks.allow-private-targets",
            "hub.file.include-credentials", "hub.hawtio.enabled", "hub.hawtio.authentication", "hub.hawtio.secure-cookie",
            "camel.server.enabled", "camel.management.enabled", "camel.management.health-check-enabled",
            "camel.management.metrics-enabled", "camel.metrics.enabled");
    private static final List<Pattern> BOOLEAN_PATTERNS = List.of(Pattern.compile("hub\\.providers\\.[^.]+\\.enabled"),
            Pattern.compile("hub\\.api\\.clients\\.[^.]+\\.read-all"));
    /** A value, or one item of a comma-separated list or a user:password pair, that only stands for the real one. */
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "(?i)(^|[,:=\\s])\\s*(replace[-_ ]?(with|me)(?![a-z])|change[-_ ]?me(?![a-z])|<[^>]*>\\s*($|,)|(\\.\\.\\.|…)\\s*($|,))");

    static {
        for (String port : List.of("camel.server.port", "camel.management.port", "hub.hawtio.port")) {
            WHOLE_NUMBERS.put(port, new long[]{0, 65535});
        }
        for (String atLeastOne : List.of("hub.http.idle-timeout-seconds", "hub.http.max-connections",
                "hub.http.max-connections-per-address", "camel.server.max-body-size", "hub.api.worker-threads",
                "hub.onboarding.abandoned-after-seconds", "hub.db.pool-size", "camel.component.http.connect-timeout",
                "camel.component.http.connection-request-timeout", "camel.component.http.response-timeout",
                "camel.component.http.so-timeout", "camel.component.http.max-total-connections",
                "camel.component.http.connections-per-route", "hub.retry.max-attempts", "hub.circuit-breaker.minimum-calls",
                "hub.circuit-breaker.window", "hub.circuit-breaker.open-seconds", "hub.circuit-breaker.half-open-calls",
                "hub.providers.pool-size", "hub.providers.pool-max-size", "hub.broker.journal-scrub-seconds",
                "hub.jms.concurrency", "hub.file.concurrency", "hub.file.progress-interval-seconds",
                "hub.file.max-record-chars", "hub.file.max-field-chars", "hub.file.stalled-after-seconds",
                "hub.file.takeover-after-seconds", "camel.main.shutdown-timeout", "hub.broker.max-connections",
                "hub.outage.max-wait-seconds", "hub.outage.max-backoff-ms", "hub.onboarding.sweep-seconds",
                "hub.merchant-link.ttl-hours", "hub.webhooks.poll-ms", "hub.webhooks.concurrency",
                "hub.webhooks.retry-initial-ms", "hub.webhooks.retry-max-ms", "hub.webhooks.give-up-after-seconds",
                "hub.webhooks.connect-timeout-ms", "hub.webhooks.response-timeout-ms", "hub.webhooks.keep-days")) {
            WHOLE_NUMBERS.put(atLeastOne, new long[]{1, MAX});
        }
        for (String atLeastZero : List.of("hub.api.refused-keys-per-minute", "hub.retry.initial-delay-ms",
                "hub.retry.max-delay-ms", "hub.retry.max-retry-after-ms", "hub.providers.max-wait-ms",
                "hub.file.read-lock-min-age-ms")) {
            WHOLE_NUMBERS.put(atLeastZero, new long[]{0, MAX});
        }
        // the connection pool refuses to wait less than 250 ms
        WHOLE_NUMBERS.put("hub.db.connection-timeout-ms", new long[]{250, MAX});
        WHOLE_NUMBER_PATTERNS.put(Pattern.compile("hub\\.providers\\.[^.]+\\.max-concurrency"), new long[]{1, MAX});
        WHOLE_NUMBER_PATTERNS.put(Pattern.compile("hub\\.providers\\.[^.]+\\.rate-limit"), new long[]{0, MAX});
        WHOLE_NUMBER_PATTERNS.put(Pattern.compile("hub\\.api\\.clients\\.[^.]+\\.rate-limit"), new long[]{0, MAX});
    }

    private SettingsCheck() {
    }

    /**
     * Checks the settings {@code value} resolves (null or blank: unset, the default applies); {@code names} are the
     * settings known by name (the properties file's, {@code -D}, the environment's mapped ones), for the patterns.
     *
     * @throws StartRefusedException naming the first bad setting and its variable, never its value
     */
    public static void check(Set<String> names, Function<String, String> value) {
        Function<String, Optional<String>> set = key -> Optional.ofNullable(value.apply(key)).map(String::strip).filter(v -> !v.isEmpty());
        Set<String> all = new TreeSet<>(names);
        all.addAll(WHOLE_NUMBERS.keySet());
        all.addAll(BOOLEANS);
        all.addAll(STRONG_SECRETS);
        for (String key : all) {
            Optional<String> given = set.apply(key);
            if (given.isEmpty()) {
                continue;
            }
            long[] range = WHOLE_NUMBERS.get(key);
            if (range == null) {
                range = WHOLE_NUMBER_PATTERNS.entrySet().stream().filter(e -> e.getKey().matcher(key).matches())
                        .map(Map.Entry::getValue).findFirst().orElse(null);
            }
            if (range != null) {
                wholeNumber(key, given.get(), range);
            }
            if (BOOLEANS.contains(key) || BOOLEAN_PATTERNS.stream().anyMatch(p -> p.matcher(key).matches())) {
                if (!given.get().equalsIgnoreCase("true") && !given.get().equalsIgnoreCase("false")) {
                    throw refused(key, "must be true or false");
                }
            }
        }
        set.apply("hub.circuit-breaker.failure-rate").ifPresent(rate -> {
            double percent;
            try {
                percent = Double.parseDouble(rate);
            } catch (NumberFormatException e) {
                percent = Double.NaN;
            }
            if (!(percent > 0 && percent <= 100)) {
                throw refused("hub.circuit-breaker.failure-rate", "must be a number above 0 and at most 100 (a percentage)");
            }
        });
        set.apply("hub.crypto.key").ifPresent(SettingsCheck::cryptoKeys);
        boolean sandbox = set.apply("hub.sandbox.enabled").map(Boolean::parseBoolean).orElse(true);
        webhooks(all, set, sandbox);
        if (sandbox) {
            return;
        }
        for (String key : all) {
            if ((key.startsWith("hub.") || key.startsWith("camel.")) && set.apply(key).filter(v -> PLACEHOLDER.matcher(v).find()).isPresent()) {
                throw refused(key, "still holds a placeholder: set the real value");
            }
        }
        for (String key : all) {
            if (!STRONG_SECRETS.contains(key) && STRONG_SECRET_PATTERNS.stream().noneMatch(p -> p.matcher(key).matches())) {
                continue;
            }
            // blank counts as set here: a password of spaces would otherwise pass as unset and leave a login without one
            String raw = value.apply(key);
            if (raw != null && !raw.isEmpty() && raw.strip().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw refused(key, "must be at least " + MIN_SECRET_BYTES + " bytes outside sandbox mode (e.g. openssl rand"
                        + " -base64 32)");
            }
        }
    }

    /**
     * A comma-separated list of provider names, e.g. {@code hub.providers.default}: each must be one of {@code known}
     * (the catalog's). Checked once the catalog is known, in the same words as the other settings.
     *
     * @return the names in the order given, without repeats
     * @throws StartRefusedException naming the setting and the unknown name (a provider's name is no secret; a value
     *                               that is not even shaped like one is not quoted)
     */
    public static List<String> providerNames(String key, String value, Set<String> known) {
        List<String> names = value == null ? List.of() : java.util.Arrays.stream(value.split(","))
                .map(String::strip).filter(n -> !n.isEmpty()).distinct().toList();
        if (names.isEmpty()) {
            throw refused(key, "must name at least one provider (of " + String.join(", ", known) + ")");
        }
        for (String name : names) {
            if (!known.contains(name)) {
                String what = PROVIDER_NAME.matcher(name).matches() ? "names " + name + ", which is not"
                        : "holds a name that is not";
                throw refused(key, what + " a provider of this hub (known: " + String.join(", ", known) + ")");
            }
        }
        return names;
    }

    private static final Pattern WEBHOOK_URL = Pattern.compile("hub\\.api\\.clients\\.([^.]+)\\.webhook-url");

    /**
     * A client's {@code webhook-url}: an absolute URL, https outside sandbox mode, with a {@code webhook-secret} of
     * comma-separated {@code whsec_<base64>} items (a secret alone, without a URL, is not used and not refused).
     */
    private static void webhooks(Set<String> all, Function<String, Optional<String>> set, boolean sandbox) {
        for (String key : all) {
            java.util.regex.Matcher url = WEBHOOK_URL.matcher(key);
            if (!url.matches() || set.apply(key).isEmpty()) {
                continue;
            }
            java.net.URI uri;
            try {
                uri = new java.net.URI(set.apply(key).get());
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
            String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri == null || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                throw refused(key, "must be an absolute https URL");
            }
            if (!sandbox && !scheme.equals("https")) {
                throw refused(key, "must be https outside sandbox mode");
            }
            String secretKey = "hub.api.clients." + url.group(1) + ".webhook-secret";
            if (set.apply(secretKey).isEmpty()) {
                throw refused(secretKey, "must be set when " + key + " is: the key that signs the webhooks (whsec_ followed by"
                        + " base64, e.g. whsec_$(openssl rand -base64 32))");
            }
            try {
                vn.onboardinghub.webhooks.WebhookSigner.of(set.apply(secretKey).get());
            } catch (IllegalArgumentException e) {
                throw refused(secretKey, e.getMessage());
            }
        }
    }

    /** What a provider's name looks like, at most 40 characters: such a name is quoted back, anything else is not. */
    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z][a-z0-9]{0,39}");

    private static void wholeNumber(String key, String given, long[] range) {
        long number;
        try {
            number = Long.parseLong(given);
        } catch (NumberFormatException e) {
            throw refused(key, "must be a whole number " + describe(range));
        }
        if (number < range[0] || number > range[1]) {
            throw refused(key, "must be a whole number " + describe(range));
        }
    }

    private static String describe(long[] range) {
        return range[1] == MAX ? "of at least " + range[0] : "from " + range[0] + " to " + range[1];
    }

    private static void cryptoKeys(String keys) {
        List<String> listed = java.util.Arrays.stream(keys.split(",")).map(String::strip).filter(k -> !k.isEmpty()).toList();
        for (int i = 0; i < listed.size(); i++) {
            byte[] key;
            try {
                key = Base64.getDecoder().decode(listed.get(i));
            } catch (IllegalArgumentException e) {
                key = null;
            }
            if (key == null || key.length != 32) {
                throw refused("hub.crypto.key", "key " + (i + 1) + " of " + listed.size() + " must be base64 of 32 bytes"
                        + " (e.g. openssl rand -base64 32)");
            }
        }
    }

    /** The environment variable a setting is read from. */
    static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static StartRefusedException refused(String key, String why) {
        return new StartRefusedException(key + " (" + variable(key) + ") " + why);
    }
}
