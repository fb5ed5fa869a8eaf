package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which values of a dropped file are secrets: the fields the providers declare secret ({@link InputField#secret()}),
 * whatever their names — the CSV column {@code <provider>_<field_in_snake_case>}, the NDJSON field
 * {@code <provider>.<field>} — and, besides, any column or field whose name ends in {@code password}. The channel
 * knows no provider: it is told the declared fields.
 */
final class SecretFields {
    /** Provider → the JSON names of its secret fields. */
    private final Map<String, Set<String>> sections;
    /** Their CSV columns ({@code ghtk_password}). */
    private final Set<String> columns;
    /** For a line that is not JSON: {@code "<secret>": "…"} (or a bare value), up to the closing quote or line end. */
    private final Pattern inBrokenJson;

    private SecretFields(Map<String, Set<String>> sections, Set<String> columns) {
        this.sections = sections;
        this.columns = columns;
        Set<String> names = new LinkedHashSet<>();
        sections.values().forEach(fields -> fields.forEach(field -> names.add(Pattern.quote(field))));
        String declared = names.isEmpty() ? "" : "|" + String.join("|", names);
        this.inBrokenJson = Pattern.compile("(\"(?:[A-Za-z_]*password" + declared + ")\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"?|[^,}\\]\\s]+)",
                Pattern.CASE_INSENSITIVE);
    }

    /** The secret fields of every provider of {@code catalog}. */
    static SecretFields of(ProviderCatalog catalog) {
        Map<String, Set<String>> sections = new LinkedHashMap<>();
        Set<String> columns = new HashSet<>();
        for (ProviderAdapter provider : catalog.all()) {
            for (InputField field : provider.inputFields()) {
                if (field.isSecret()) {
                    sections.computeIfAbsent(provider.name(), p -> new LinkedHashSet<>()).add(field.name());
                    columns.add(CsvColumns.normalize(field.csvColumn(provider.name())));
                }
            }
        }
        return new SecretFields(Map.copyOf(sections), Set.copyOf(columns));
    }

    /** A CSV column whose values are secrets ({@code ghtk_password}, a declared {@code acme_pin}, any {@code *password}). */
    boolean isSecretColumn(String headerName) {
        String name = CsvColumns.normalize(headerName);
        return columns.contains(name) || name.endsWith("password");
    }

    /** Replaces every secret value of a JSON record with {@code mask}; true when something was replaced. */
    boolean mask(JsonNode record, String mask) {
        boolean masked = false;
        if (record instanceof ObjectNode object) {
            for (Map.Entry<String, Set<String>> section : sections.entrySet()) {
                if (object.get(section.getKey()) instanceof ObjectNode fields) {
                    for (String field : section.getValue()) {
                        masked |= replace(fields, field, mask);
                    }
                }
            }
        }
        return maskPasswords(record, mask) | masked;
    }

    /** The same for a line that is not JSON (or has text after its JSON value), by the fields' names. */
    String maskBrokenJson(String line, String mask) {
        return inBrokenJson.matcher(line).replaceAll("$1\"" + mask + "\"");
    }

    private static boolean replace(ObjectNode object, String field, String mask) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull() || mask.equals(value.asText())) {
            return false;
        }
        object.set(field, TextNode.valueOf(mask));
        return true;
    }

    /** Every {@code *password} value at any depth. */
    private static boolean maskPasswords(JsonNode node, String mask) {
        boolean masked = false;
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().toLowerCase(Locale.ROOT).endsWith("password")) {
                    masked |= replace(object, field.getKey(), mask);
                } else {
                    masked |= maskPasswords(field.getValue(), mask);
                }
            }
        } else if (node != null && node.isArray()) {
            for (JsonNode element : node) {
                masked |= maskPasswords(element, mask);
            }
        }
        return masked;
    }
}
