package vn.onboardinghub.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Synthetic merchants, each onboarded onto all four providers, with ids unique per {@code run} (the hub reuses an
 * earlier success for the same {@code externalId}, which would skip provider calls).
 */
final class Merchants {
    static final String GHTK_PASSWORD = "shop-password";
    static final String REDIRECT_URL = "https://merchant.example/after-its";

    private Merchants() {
    }

    static String externalId(String run, long i) {
        return run + "-" + i;
    }

    static String name(long i) {
        return "Cửa hàng Nguyễn Văn " + i;
    }

    /**
     * A valid national number 09xxxxxxx8: the last digit keeps clear of the sandbox's error triggers (a phone ending
     * in 401, 403, 409, 429, 500 or 503), so that the WireMock engine answers every call with its success too.
     */
    static String phone(long i) {
        return String.format("09%07d8", i % 10_000_000L);
    }

    static String email(String run, long i) {
        return "m" + i + "." + run + "@example.vn";
    }

    static String address(long i) {
        return (i % 200 + 1) + " Lê Lợi, Quận 1, TP.HCM";
    }

    /** Ends in 1: never the sandbox's "already registered" trigger (ending in 409). */
    static String zaloUserId(long i) {
        return (1_000_000_000L + i) + "1";
    }

    static final double LAT = 10.7769;
    static final double LNG = 106.7009;

    /** The REST body: the same merchant as a CSV record. */
    static String json(String run, long i) {
        return "{\"merchant\": {\"externalId\": \"" + externalId(run, i) + "\", \"name\": \"" + name(i)
                + "\", \"phone\": \"" + phone(i) + "\", \"email\": \"" + email(run, i) + "\", \"address\": \"" + address(i)
                + "\", \"lat\": " + LAT + ", \"lng\": " + LNG + "},"
                + " \"ghtk\": {\"password\": \"" + GHTK_PASSWORD + "\"},"
                + " \"socdo\": {\"zaloUserId\": \"" + zaloUserId(i) + "\"},"
                + " \"its\": {\"redirectUrl\": \"" + REDIRECT_URL + "\"}}";
    }

    /** Writes {@code count} records next to {@code target}, then renames it into place (the hub sees it complete). */
    static void writeCsv(Path target, String run, long count) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try (BufferedWriter out = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
            out.write("external_id,name,phone,email,address,lat,lng,providers,ghtk_password,socdo_zalo_user_id,its_redirect_url\n");
            for (long i = 0; i < count; i++) {
                out.write(externalId(run, i) + ",\"" + name(i) + "\"," + phone(i) + "," + email(run, i) + ",\"" + address(i)
                        + "\"," + LAT + "," + LNG + ",," + GHTK_PASSWORD + "," + zaloUserId(i) + "," + REDIRECT_URL + "\n");
            }
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    }
}
