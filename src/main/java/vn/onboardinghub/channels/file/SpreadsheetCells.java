package vn.onboardinghub.channels.file;

/**
 * CSV injection (OWASP "CSV Injection"): a spreadsheet program runs a cell that starts with {@code =}, {@code +},
 * {@code -} or {@code @} as a formula ({@code =HYPERLINK(…)}, {@code =cmd|…}), and a leading tab or carriage return
 * can hide such a start. A cell of a file the hub writes for people to open starts with a {@code '} instead, which
 * the spreadsheet shows as text; the writer quotes every cell ({@link ActionsWriter}).
 */
final class SpreadsheetCells {
    private SpreadsheetCells() {
    }

    /** The value as an inert cell: unchanged unless it starts like a formula; null is an empty cell. */
    static String inert(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        return switch (value.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + value;
            default -> value;
        };
    }
}
