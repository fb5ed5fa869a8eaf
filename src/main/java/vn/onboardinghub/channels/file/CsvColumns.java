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

/**
 * The CSV columns of CONTRACT §6, found by header name (any order, any case, unknown columns ignored), and how one
 * record becomes the normalized request JSON of CONTRACT §3 — so that validation and its field paths are the REST
 * channel's.
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

    private static final List<Column> COLUMNS = List.of(
            new Column("external_id", "merchant", "externalId", Kind.TEXT),
            new Column("name", "merchant", "name", Kind.TEXT),
            new Column("phone", "merchant", "phone", Kind.TEXT),
            new Column("email", "merchant", "email", Kind.TEXT),
            new Column("address", "merchant", "address", Kind.TEXT),
            new Column("lat", "merchant", "lat", Kind.NUMBER),
            new Column("lng", "merchant", "lng", Kind.NUMBER),
            new Column("providers", null, "providers", Kind.LIST),
            new Column("ahamove_parent_id", "ahamove", "parentId", Kind.TEXT),
            new Column("ghtk_email", "ghtk", "email", Kind.TEXT),
            new Column("ghtk_password", "ghtk", "password", Kind.SECRET),
            new Column("socdo_zalo_user_id", "socdo", "zaloUserId", Kind.TEXT),
            new Column("socdo_avatar", "socdo", "avatar", Kind.TEXT),
            new Column("socdo_gender", "socdo", "gender", Kind.TEXT),
            new Column("its_shop_id", "its", "shopId", Kind.TEXT),
            new Column("its_external_shop_id", "its", "externalShopId", Kind.TEXT),
            new Column("its_shop_name", "its", "shopName", Kind.TEXT),
            new Column("its_redirect_url", "its", "redirectUrl", Kind.TEXT));

    /** Normalized header name → its position (the first one when a name repeats). */
    private final Map<String, Integer> positions;
    private final ObjectMapper mapper;

    private CsvColumns(Map<String, Integer> positions, ObjectMapper mapper) {
        this.positions = positions;
        this.mapper = mapper;
    }

    /** Reads the header row; refuses the file when a required column is missing. */
    static CsvColumns of(CSVRecord header, ObjectMapper mapper) {
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
        return new CsvColumns(positions, mapper);
    }

    static String normalize(String headerName) {
        return headerName.strip().toLowerCase(Locale.ROOT);
    }

    /** A column whose values are masked wherever the file is kept ({@code ghtk_password}, or any other password). */
    static boolean isSecret(String headerName) {
        return normalize(headerName).endsWith("password");
    }

    /** The record as a request JSON text; empty cells are left out. */
    String requestJson(CSVRecord record) {
        ObjectNode request = mapper.createObjectNode();
        for (Column column : COLUMNS) {
            Integer position = positions.get(column.name());
            if (position == null || position >= record.size()) {
                continue;
            }
            String raw = record.get(position);
            // cells are trimmed ("a, b" is common in hand-made CSV); a password is taken exactly as written
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
