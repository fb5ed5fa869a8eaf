package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CSV columns of docs/contract.md "File drop", found by header name (any order, any case, unknown columns ignored), and how one
 * record becomes the normalized request JSON of docs/contract.md "Request" — so that validation and its field paths are the REST
 * channel's. A provider's field {@code <provider>.<fieldName>} is the column {@code <provider>_<field_name>}
 * ({@code ghtk_password}, {@code socdo_zalo_user_id}), whatever the provider: the channel knows none.
 */
final class CsvColumns {
    /**
     * RFC 4180 with CRLF or LF, blank lines skipped. Lenient about text after a closing quote (kept in the value, which
     * then usually fails validation) and about a quote left open at the end of the file, which {@link BoundedCsvText}
     * reports instead (the file is refused, naming the line), rather than a parser crash half-way through a batch.
     */
    static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setIgnoreEmptyLines(true)
            .setLenientEof(true)
            .setTrailingData(true)
            .get();
    static final List<String> REQUIRED = List.of("external_id", "name", "phone");

    private enum Kind { TEXT, NUMBER, LIST, SECRET }

    /** Column, then where its value goes in the request: {@code section.field} (no section: top level). */
    private record Column(String name, String section, String field, Kind kind) {
    }

    /** The merchant's columns and the provider list. */
    private static final List<Column> CORE = List.of(
            new Column("external_id", "merchant", "externalId", Kind.TEXT),
            new Column("name", "merchant", "name", Kind.TEXT),
            new Column("phone", "merchant", "phone", Kind.TEXT),
            new Column("email", "merchant", "email", Kind.TEXT),
            new Column("address", "merchant", "address", Kind.TEXT),
            new Column("lat", "merchant", "lat", Kind.NUMBER),
            new Column("lng", "merchant", "lng", Kind.NUMBER),
            new Column("providers", null, "providers", Kind.LIST));
    /** {@code <provider>_<field in snake case>}: a provider's field ({@code socdo_zalo_user_id}). */
    private static final Pattern PROVIDER_COLUMN = Pattern.compile("([a-z][a-z0-9]*)_([a-z0-9]+(?:_[a-z0-9]+)*)");

    /** Normalized header name → its position (the first one when a name repeats). */
    private final Map<String, Integer> positions;
    /** The columns this header has, core and provider ones. */
    private final List<Column> columns;
    private final ObjectMapper mapper;

    private CsvColumns(Map<String, Integer> positions, ObjectMapper mapper, SecretFields secrets) {
        this.positions = positions;
        this.mapper = mapper;
        List<Column> found = new ArrayList<>(CORE.stream().filter(c -> positions.containsKey(c.name())).toList());
        positions.keySet().stream().sorted().forEach(name -> {
            Matcher provider = PROVIDER_COLUMN.matcher(name);
            if (!name.equals("external_id") && provider.matches()) {
                // a column no provider declares lands in a section the request reader ignores, like any unknown column
                found.add(new Column(name, provider.group(1), camelCase(provider.group(2)), secrets.isSecretColumn(name) ? Kind.SECRET : Kind.TEXT));
            }
        });
        this.columns = List.copyOf(found);
    }

    /** {@code zalo_user_id} → {@code zaloUserId}: the JSON name of the field the column fills. */
    private static String camelCase(String snake) {
        StringBuilder name = new StringBuilder();
        for (String part : snake.split("_")) {
            name.append(name.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return name.toString();
    }

    /** Reads the header row; refuses the file when a required column is missing. */
    static CsvColumns of(CSVRecord header, ObjectMapper mapper, SecretFields secrets) {
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            positions.putIfAbsent(normalize(header.get(i)), i);
        }
        List<String> missing = REQUIRED.stream().filter(c -> !positions.containsKey(c)).toList();
        if (!missing.isEmpty()) {
            // the header's own names are not quoted back: the reason file never repeats the file's content
            throw new UnprocessableFileException("line 1: the CSV header lacks the required column(s) "
                    + String.join(", ", missing) + " (required: " + String.join(", ", REQUIRED) + ")");
        }
        return new CsvColumns(positions, mapper, secrets);
    }

    static String normalize(String headerName) {
        return headerName.strip().toLowerCase(Locale.ROOT);
    }

    /** The record as a request JSON text; empty cells are left out. */
    String requestJson(CSVRecord record) {
        ObjectNode request = mapper.createObjectNode();
        for (Column column : columns) {
            Integer position = positions.get(column.name());
            if (position == null || position >= record.size()) {
                continue;
            }
            String raw = record.get(position);
            // cells are trimmed ("a, b" is common in hand-made CSV); a secret (a password) is taken exactly as written
            String value = column.kind() == Kind.SECRET ? raw : raw.strip();
            if (value.isBlank()) {
                continue;
            }
            ObjectNode target = column.section() == null ? request : request.withObjectProperty(column.section());
            switch (column.kind()) {
                case NUMBER -> putNumber(target, column.field(), value);
                case LIST -> target.set(column.field(), list(value));
                default -> target.put(column.field(), value);
            }
        }
        try {
            return mapper.writeValueAsString(request);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A number when it parses; otherwise the text, so that validation reports a type error at that field. */
    private static void putNumber(ObjectNode target, String field, String value) {
        try {
            target.put(field, new BigDecimal(value));
        } catch (NumberFormatException notANumber) {
            target.put(field, value);
        }
    }

    /** {@code ahamove;ghtk} → {@code ["ahamove", "ghtk"]}. */
    private ArrayNode list(String value) {
        List<String> names = new ArrayList<>();
        for (String part : value.split(";")) {
            if (!part.isBlank()) {
                names.add(part.strip());
            }
        }
        ArrayNode array = mapper.createArrayNode();
        names.forEach(array::add);
        return array;
    }
}
