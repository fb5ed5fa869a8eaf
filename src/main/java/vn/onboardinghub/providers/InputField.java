package vn.onboardinghub.providers;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One field of a provider's section of the request ({@code "ghtk": {"password": …}}), as the provider's adapter
 * declares it: its JSON name, the format a value must have, whether the provider needs it, whether it is a secret.
 * The hub derives from it the validation, the CSV column ({@code ghtk_password}) and the OpenAPI schema.
 * Every value is text.
 */
public record InputField(String name, Format format, boolean isRequired, boolean isSecret, String description) {
    private static final Pattern NAME = Pattern.compile("[a-z][A-Za-z0-9]*");

    public InputField {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("input field " + name + ": a name is camelCase letters and digits");
        }
    }

    /** Any text. */
    public static InputField text(String name) {
        return new InputField(name, Format.TEXT, false, false, null);
    }

    /** A value in {@code format}. */
    public static InputField of(String name, Format format) {
        return new InputField(name, format, false, false, null);
    }

    /** The provider cannot be called without it: a request naming the provider and lacking it is refused. */
    public InputField required() {
        return new InputField(name, format, true, isSecret, description);
    }

    /**
     * Declares the field a secret, whatever its name ({@code password}, {@code pin}): its value is stored only
     * encrypted and only while the onboarding is {@code PENDING}, never logged, never quoted in a violation, masked
     * in kept batch files and in Camel's log mask; the API document marks it {@code writeOnly}.
     */
    public InputField secret() {
        return new InputField(name, format, isRequired, true, description);
    }

    /** A few words for the API document. */
    public InputField described(String words) {
        return new InputField(name, format, isRequired, isSecret, words);
    }

    /** {@code zaloUserId} of provider {@code socdo} → CSV column {@code socdo_zalo_user_id}. */
    public String csvColumn(String provider) {
        return provider + "_" + name.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    /** What a value must look like, how a violation says it, and what the API document says of it. */
    public record Format(Predicate<String> accepts, String problem, String schemaFormat, List<String> allowed,
                         String pattern) {
        public static final Format TEXT = new Format(v -> true, null, null, null, null);
        public static final Format EMAIL = new Format(v -> Pattern.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+", v),
                "is not an email address", "email", null, null);
        public static final Format HTTP_URL = new Format(Format::isHttpUrl, "must be an absolute http(s) URL", "uri", null, null);

        /** Digits only (at most 19), e.g. a provider's numeric id; {@code problem} says what the value is. */
        public static Format digits(String problem) {
            return new Format(v -> v.matches("\\d{1,19}"), problem, null, null, "^\\d{1,19}$");
        }

        /** One of these words: "must be male or female". */
        public static Format oneOf(String... values) {
            List<String> allowed = List.of(values);
            return new Format(allowed::contains, "must be " + String.join(" or ", allowed), null, allowed, null);
        }

        private static boolean isHttpUrl(String value) {
            try {
                URI uri = URI.create(value);
                return uri.getHost() != null && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
