package vn.onboardinghub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap use from a unified GC log ({@code -Xlog:gc}): the peak is the largest occupancy seen before a collection (what
 * the JVM let the heap grow to); the largest occupancy left after a collection bounds what the hub actually kept.
 */
final class GcLog {
    // e.g. "GC(12) Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(256M) 5.123ms"
    private static final Pattern HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private GcLog() {
    }

    record Heap(double peakUsedMib, double maxAfterGcMib, double maxCommittedMib, int collections) {
    }

    static Heap read(Path log) throws IOException {
        double peak = 0;
        double afterGc = 0;
        double committed = 0;
        int collections = 0;
        for (String line : Files.readAllLines(log)) {
            Matcher m = HEAP.matcher(line);
            if (m.find()) {
                collections++;
                peak = Math.max(peak, mib(m.group(1), m.group(2)));
                if (!line.contains("Pause Remark") && !line.contains("Pause Cleanup")) {
                    // remark and cleanup free nothing by themselves: their "after" is not what a collection left
                    afterGc = Math.max(afterGc, mib(m.group(3), m.group(4)));
                }
                committed = Math.max(committed, mib(m.group(5), m.group(6)));
            }
        }
        return new Heap(peak, afterGc, committed, collections);
    }

    private static double mib(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }
}
