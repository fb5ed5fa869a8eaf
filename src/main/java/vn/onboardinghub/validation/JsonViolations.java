package vn.onboardinghub.validation;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import vn.onboardinghub.model.Violation;

import java.util.Collection;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A JSON document Jackson could not read, as a violation in plain words: which field, what was sent, what is accepted.
 * Jackson's own messages name Java classes and its option names ({@code java.lang.Double}, {@code CoercionConfig},
 * {@code StreamReadConstraints}), which mean nothing to the caller and tell an attacker what runs here.
 */
public final class JsonViolations {
    /** The nesting limit the hub's object mapper is built with. */
    public static final int MAX_NESTING_DEPTH = 64;
    private static final int MAX_QUOTED = 40;
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\u2028\\u2029]");

    private JsonViolations() {
    }

    /** The document is not JSON, or breaks a size limit, before any field is known. */
    static Violation unreadable(JacksonException e) {
        if (e instanceof StreamConstraintsException) {
            String message = String.valueOf(e.getOriginalMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("nesting depth")) {
                return new Violation("$", "is nested deeper than " + MAX_NESTING_DEPTH + " levels");
            }
            return new Violation("$", "holds a number, text or name longer than the hub accepts");
        }
        String where = where(e.getLocation());
        if (e instanceof JsonEOFException) {
            return new Violation("$", "is not valid JSON: the document ends before it is complete" + where);
        }
        return new Violation("$", "is not valid JSON: something unexpected" + where
                + " (check quotes, commas and brackets)");
    }

    /**
     * A field of the wrong type, e.g. {@code merchant.lat}: "must be a number, not the text \"north\"". The value is
     * quoted (shortened, control characters escaped) unless the field holds a secret.
     */
    static Violation wrongType(String field, JsonMappingException e, JsonNode tree) {
        JsonNode sent = nodeAt(tree, field);
        String expected = expected(e);
        return new Violation(field, expected == null ? "has the wrong type" + (sent == null ? "" : ": " + described(field, sent, false))
                : "must be " + expected + (sent == null ? "" : ", not " + described(field, sent, false)));
    }

    /**
     * A value that is not of the type the field takes, e.g. {@code ghtk.password}: "must be text, not a number". The
     * value of a field declared {@code secret} is never quoted.
     */
    static Violation wrongType(String field, String expected, JsonNode sent, boolean secret) {
        return new Violation(field, "must be " + expected + ", not " + described(field, sent, secret));
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** What the target field accepts, from the type Jackson was asked to build. */
    private static String expected(JsonMappingException e) {
        Class<?> type = e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatch
                ? mismatch.getTargetType() : null;
        if (type == null) {
            return null;
        }
        if (type == String.class || type == Character.class || type == char.class) {
            return "text";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == Long.class || type == int.class || type == long.class
                || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    /** The value sent, quoted unless it is a secret: a field declared so, or one whose name says so. */
    private static String described(String field, JsonNode sent, boolean secret) {
        boolean hidden = secret || field.toLowerCase(Locale.ROOT).contains("password");
        if (sent.isTextual()) {
            return hidden ? "text" : "the text " + quoted(sent.textValue());
        }
        if (sent.isNumber()) {
            return hidden ? "a number" : "the number " + shortened(sent.asText());
        }
        if (sent.isBoolean()) {
            return sent.asText();
        }
        if (sent.isNull()) {
            return "null";
        }
        return sent.isArray() ? "a list" : "an object";
    }

    private static String quoted(String text) {
        return "\"" + shortened(UNPRINTABLE.matcher(text).replaceAll(m -> String.format("\\\\u%04x", (int) m.group().charAt(0))))
                .replace("\"", "\\\"") + "\"";
    }

    private static String shortened(String text) {
        return text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "…";
    }

    /** The node at a path such as {@code merchant.lat} or {@code providers[1]}; null when absent. */
    private static JsonNode nodeAt(JsonNode tree, String field) {
        if (tree == null || field.equals("$")) {
            return null;
        }
        JsonNode node = tree;
        for (String part : field.split("\\.")) {
            int bracket = part.indexOf('[');
            String name = bracket < 0 ? part : part.substring(0, bracket);
            if (!name.isEmpty()) {
                node = node.get(name);
            }
            while (node != null && bracket >= 0) {
                int close = part.indexOf(']', bracket);
                node = node.get(Integer.parseInt(part.substring(bracket + 1, close)));
                bracket = part.indexOf('[', close);
            }
            if (node == null) {
                return null;
            }
        }
        return node;
    }
}
