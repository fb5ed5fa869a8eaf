package vn.onboardinghub.channels.file;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;
import vn.onboardinghub.model.MerchantLink;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code <name>.actions.csv}, the batch's worklist: one row per record whose providers wait for the merchant
 * ({@link OnboardingResult#waitsForMerchant()}), with the merchant's name and phone, the providers waiting and the
 * merchant link — for the people who call the merchants. Spreadsheet-ready: UTF-8 with a byte order mark (so
 * Vietnamese reads right), CRLF, every cell quoted and none starting like a formula ({@link SpreadsheetCells}). Rows
 * are appended as records finish (in any order); like the results file, it is created new by every run of the batch
 * (a resumed batch writes it again from the start), so it ends with exactly one row per waiting record. No credential
 * and no provider input is ever written to it.
 */
final class ActionsWriter implements Closeable {
    static final String[] HEADER = {"line", "external_id", "name", "phone", "providers", "merchant_link", "link_expires_at"};
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setHeader(HEADER)
            .setQuoteMode(QuoteMode.ALL)
            .setRecordSeparator("\r\n")
            .get();

    /** What the merchant gave in the record: its name and phone (national {@code 0…} form once validated). */
    record Merchant(String name, String phone) {
    }

    private final CSVPrinter out;

    ActionsWriter(Path file) throws IOException {
        BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(PrivateFiles.createNew(file), StandardCharsets.UTF_8));
        try {
            writer.write('\uFEFF');
            this.out = new CSVPrinter(writer, FORMAT);
            out.flush();
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    /** A row for the record when its providers wait for the merchant; nothing otherwise. */
    void write(long line, Merchant merchant, OnboardingResult result) throws IOException {
        if (!result.waitsForMerchant()) {
            return;
        }
        String waiting = result.results().entrySet().stream()
                .filter(e -> e.getValue().status() == ProviderResult.ProviderStatus.ACTION_REQUIRED)
                .map(Map.Entry::getKey).collect(Collectors.joining(";"));
        MerchantLink link = result.merchantLink();
        Object[] row = {String.valueOf(line), result.externalId(), merchant == null ? null : merchant.name(),
                merchant == null ? null : merchant.phone(), waiting, link == null ? null : link.url(),
                link == null ? null : link.expiresAt()};
        for (int i = 0; i < row.length; i++) {
            row[i] = SpreadsheetCells.inert((String) row[i]);
        }
        synchronized (this) {
            out.printRecord(row);
            out.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
