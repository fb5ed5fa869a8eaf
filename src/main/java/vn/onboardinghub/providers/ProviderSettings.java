package vn.onboardinghub.providers;

import java.util.Map;

/**
 * One provider's configuration block, {@code hub.providers.<name>.*}: whether it is enabled, its base URL and
 * its partner credentials (e.g. {@code api-key}, {@code token}).
 */
public record ProviderSettings(String name, boolean enabled, String baseUrl, Map<String, String> values) {

    public String value(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? null : v;
    }

    /** Base URL without a trailing slash, as given: the provider's documented path is appended to it. */
    public String url(String path) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return base + path;
    }

    @Override
    public String toString() {
        return "ProviderSettings[" + name + ", enabled=" + enabled + ", baseUrl=" + baseUrl + ", keys=" + values.keySet() + "]";
    }
}
