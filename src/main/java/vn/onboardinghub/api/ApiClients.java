package vn.onboardinghub.api;

import vn.onboardinghub.StartRefusedException;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The systems allowed to call the REST API: named clients ({@code hub.api.clients.<name>.keys}, {@code .read-all},
 * {@code .rate-limit}) and the unnamed {@code hub.api.keys} client, called {@value #DEFAULT}, which reads everything.
 * A key is matched by its SHA-256, in constant time over every configured key; {@code sha256:<64 hex>} configures a
 * key by its hash, so the key itself need not be written anywhere.
 */
public final class ApiClients {
    /** The name of the {@code hub.api.keys} client. */
    public static final String DEFAULT = "default";
    private static final String PREFIX = "hub.api.clients.";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern HASHED = Pattern.compile("sha256:([0-9a-fA-F]{64})");

    /** A caller: its name, whether it reads every onboarding, and its request rate limit (null: none). */
    public record Client(String name, boolean readAll, RateLimiter rateLimit) {
    }

    private record Key(byte[] sha256, Client client) {
    }

    private final List<Key> keys;

    private ApiClients(List<Key> keys) {
        this.keys = keys;
    }

    /** The client whose key this is; every key is compared, so the time taken says nothing about which matched. */
    public Optional<Client> authenticate(String givenKey) {
        byte[] given = sha256(givenKey == null ? "" : givenKey);
        Client found = null;
        for (Key key : keys) {
            if (MessageDigest.isEqual(key.sha256(), given) && found == null) {
                found = key.client();
            }
        }
        return givenKey == null || givenKey.isEmpty() ? Optional.empty() : Optional.ofNullable(found);
    }

    public int size() {
        return (int) keys.stream().map(Key::client).distinct().count();
    }

    /**
     * Reads the clients from the settings: {@code settingNames}, every key there is, and {@code setting}, a key's value
     * or null. (Clients set by environment variables arrive as settings too, see {@code Application}.)
     */
    public static ApiClients from(Set<String> settingNames, Function<String, String> setting, boolean sandboxMode) {
        Map<String, Map<String, String>> named = new LinkedHashMap<>();
        for (String key : settingNames) {
            if (key.startsWith(PREFIX)) {
                String rest = key.substring(PREFIX.length());
                int dot = rest.lastIndexOf('.');
                if (dot > 0) {
                    String value = setting.apply(key);
                    if (value != null) {
                        named.computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>()).put(rest.substring(dot + 1), value);
                    }
                }
            }
        }
        List<Key> keys = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Map.Entry<String, Map<String, String>> e : named.entrySet()) {
            String name = e.getKey();
            Map<String, String> options = e.getValue();
            if (!NAME.matcher(name).matches() || name.equals(DEFAULT) || name.equals("jms") || name.startsWith("file")) {
                throw new IllegalStateException("API client name '" + name + "' (hub.api.clients." + name + ".*) must be"
                        + " lower-case letters, digits, '-' or '_', and not 'default', 'jms' or 'file…'");
            }
            List<String> clientKeys = split(options.get("keys"));
            if (clientKeys.isEmpty()) {
                throw new IllegalStateException("API client '" + name + "' has no keys: set hub.api.clients." + name + ".keys");
            }
            Client client = new Client(name, Boolean.parseBoolean(options.getOrDefault("read-all", "false")),
                    rateLimit(name, options.get("rate-limit")));
            clientKeys.forEach(k -> keys.add(new Key(keyHash(k, name, seen), client)));
        }
        List<String> unnamed = split(setting.apply("hub.api.keys"));
        if (unnamed.isEmpty() && keys.isEmpty()) {
            if (!sandboxMode) {
                throw new IllegalStateException("hub.api.keys (or HUB_API_KEYS), or at least one hub.api.clients.<name>.keys,"
                        + " must be set when sandbox mode is off: the API keys callers send in X-API-Key");
            }
            unnamed = List.of("sandbox");
        }
        Client unnamedClient = new Client(DEFAULT, true, null);
        unnamed.forEach(k -> keys.add(new Key(keyHash(k, "hub.api.keys", seen), unnamedClient)));
        return new ApiClients(List.copyOf(keys));
    }

    private static byte[] keyHash(String key, String owner, Set<String> seen) {
        Matcher hashed = HASHED.matcher(key);
        if (!hashed.matches() && key.regionMatches(true, 0, "sha256:", 0, 7)) {
            // a hash recipe that printed nothing (sha256:) would otherwise be a key anyone can guess
            throw new StartRefusedException("an API key of " + owner + " starts with sha256: but is not sha256:<64 hex digits>");
        }
        byte[] hash = hashed.matches() ? HexFormat.of().parseHex(hashed.group(1).toLowerCase(Locale.ROOT)) : sha256(key);
        if (!seen.add(HexFormat.of().formatHex(hash))) {
            throw new IllegalStateException("an API key of " + owner + " is configured twice: every key must name one client");
        }
        return hash;
    }

    private static RateLimiter rateLimit(String name, String perSecond) {
        int limit;
        try {
            limit = perSecond == null || perSecond.isBlank() ? 0 : Integer.parseInt(perSecond.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("hub.api.clients." + name + ".rate-limit must be a whole number of requests per second");
        }
        if (limit <= 0) {
            return null;
        }
        return RateLimiter.of("api-client-" + name, RateLimiterConfig.custom().limitForPeriod(limit)
                .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build());
    }

    private static List<String> split(String keys) {
        return keys == null ? List.of() : Arrays.stream(keys.split(",")).map(String::strip).filter(k -> !k.isEmpty()).toList();
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
