package vn.onboardinghub.model;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Vietnamese phone numbers: accepted as {@code 0…}, {@code 84…} or {@code +84…} with spaces, dots or dashes;
 * a valid number is 0 followed by 9 or 10 digits. Ahamove wants {@code 84…}, every other provider {@code 0…}.
 */
public final class VietnamesePhone {
    private static final Pattern SEPARATORS = Pattern.compile("[\\s.\\-]");
    private static final Pattern NATIONAL = Pattern.compile("0\\d{9,10}");

    private VietnamesePhone() {
    }

    /** The national form ({@code 0912345678}), or empty when the input is not a VN number. */
    public static Optional<String> national(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String digits = SEPARATORS.matcher(raw.strip()).replaceAll("");
        if (digits.startsWith("+84")) {
            digits = "0" + digits.substring(3);
        } else if (digits.startsWith("84")) {
            digits = "0" + digits.substring(2);
        }
        return NATIONAL.matcher(digits).matches() ? Optional.of(digits) : Optional.empty();
    }

    /** {@code 0912345678} → {@code 84912345678}. */
    public static String international(String national) {
        return "84" + national.substring(1);
    }
}
