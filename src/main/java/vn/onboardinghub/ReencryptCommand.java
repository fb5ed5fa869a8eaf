package vn.onboardinghub;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import vn.onboardinghub.store.ResultCipher;
import vn.onboardinghub.store.StoredResultsReencryption;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** {@code java -jar target/onboarding-hub.jar reencrypt}: see {@link #run}. */
final class ReencryptCommand {
    /** Rows read per query. */
    private static final int BATCH = 500;

    private ReencryptCommand() {
    }

    /**
     * The {@code reencrypt} command: with the hub's own settings (same files, {@code -D}, environment), opens its
     * database and rewrites every stored result not under the first key of {@code hub.crypto.key}, then prints the
     * counts. Exit 0 when every row is now under the first key, 1 otherwise (rows no listed key reads, or rows a hub
     * kept rewriting under an older key).
     */
    static int run(Map<String, String> overrides) throws Exception {
        // a Camel context only for its property resolution (placeholders, locations, overrides): never started, so
        // there is nothing to stop (closing it would only log a shutdown)
        PropertiesComponent props = new DefaultCamelContext().getPropertiesComponent();
        props.setLocation(Application.PROPERTY_LOCATIONS);
        Properties overriding = new Properties();
        overriding.putAll(overrides);
        props.setOverrideProperties(overriding);
        Application.checkSettings(props);
        Settings settings = new Settings(props);
        boolean sandboxMode = settings.bool("hub.sandbox.enabled");
        Path dataDir = Path.of(settings.string("hub.data-dir")).toAbsolutePath();
        ResultCipher cipher = new ResultCipher(StoreConfiguration.cryptoKeys(settings, dataDir, sandboxMode));
        try (HikariDataSource dataSource = StoreConfiguration.dataSource(settings, dataDir)) {
            Map<String, StoredResultsReencryption.Counts> counts =
                    new StoredResultsReencryption(dataSource, cipher, BATCH).run();
            boolean complete = true;
            for (var table : counts.entrySet()) {
                StoredResultsReencryption.Counts c = table.getValue();
                System.out.printf("reencrypt %s: %d rewritten, %d already under the first key, %d unreadable,"
                        + " %d changed meanwhile%n", table.getKey(), c.rewritten(), c.alreadyUnderFirstKey(),
                        c.unreadable(), c.changedMeanwhile());
                complete &= c.complete();
            }
            System.out.println(complete ? "reencrypt: every stored result is under the first key of hub.crypto.key"
                    : "reencrypt: some stored results are not under the first key: keep the older keys in"
                    + " hub.crypto.key and run reencrypt again (unreadable rows need the key that wrote them)");
            return complete ? 0 : 1;
        }
    }
}
