package vn.onboardinghub;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.ops.ReadinessCheck;
import vn.onboardinghub.store.BrokenConnectionEviction;
import vn.onboardinghub.store.H2Compaction;
import vn.onboardinghub.store.OnboardingStore;
import vn.onboardinghub.store.OutageWait;
import vn.onboardinghub.store.ResultCipher;
import vn.onboardinghub.validation.JsonViolations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * First of the hub's wiring: the data dir (owner-only, locked), the database ({@code hubDataSource}, migrated), the
 * result store ({@code onboardingStore}), {@code outageWait}, {@code databaseReadiness}, and the JSON mapper every part
 * shares ({@code objectMapper}). Closes the store, the database and the lock once the routes stopped.
 */
public class StoreConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(StoreConfiguration.class);

    /** Null when neither the database nor the broker is embedded. */
    private DataDirectoryLock dataDirLock;
    private HikariDataSource dataSource;
    private OnboardingStore store;

    @BindToRegistry("objectMapper")
    public ObjectMapper objectMapper() {
        return objectMapperForJson();
    }

    @BindToRegistry("hubDataSource")
    public HikariDataSource hubDataSource(CamelContext context) throws IOException {
        Settings settings = Settings.of(context);
        Path dataDir = dataDir(settings);
        boolean embeddedDatabase = settings.optional("hub.db.url").isEmpty();
        boolean embeddedBroker = settings.bool("hub.broker.embedded");
        ownerOnly(dataDir, embeddedDatabase, embeddedBroker);
        // the embedded database and broker open in one process only: a second hub on the same directory is refused
        dataDirLock = embeddedDatabase || embeddedBroker ? DataDirectoryLock.acquire(dataDir) : null;
        dataSource = dataSource(settings, dataDir);
        return dataSource;
    }

    @BindToRegistry("onboardingStore")
    public OnboardingStore onboardingStore(CamelContext context, @BeanInject("hubDataSource") HikariDataSource dataSource,
            @BeanInject("objectMapper") ObjectMapper mapper) throws IOException {
        Settings settings = Settings.of(context);
        store = new OnboardingStore(dataSource, mapper, new ResultCipher(cryptoKeys(settings, dataDir(settings),
                settings.bool("hub.sandbox.enabled"))),
                context.getExecutorServiceManager().newSingleThreadExecutor(this, OnboardingStore.WRITER_THREAD));
        store.migrate();
        return store;
    }

    /** How long the bus, batches and results already paid for by provider calls wait for the database to come back. */
    @BindToRegistry("outageWait")
    public OutageWait outageWait(CamelContext context) {
        Settings settings = Settings.of(context);
        return new OutageWait(settings.seconds("hub.outage.max-wait-seconds"), settings.millis("hub.outage.max-backoff-ms"));
    }

    @BindToRegistry("databaseReadiness")
    public ReadinessCheck databaseReadiness(@BeanInject("hubDataSource") HikariDataSource dataSource) {
        return new ReadinessCheck("database", () -> {
            try (var connection = dataSource.getConnection()) {
                if (!connection.isValid(2)) {
                    throw new SQLException("connection not valid");
                }
            }
        });
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.of(context);
        Path dataDir = dataDir(settings);
        // once everything started (the database and broker files exist), and every second after (the broker creates
        // journal files as it compacts): every folder and file under the data dir owner-only
        Set<Path> fileDropFolders = fileDropFolders(settings);
        context.addStartupListener((started, alreadyStarted) -> started.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "data-dir-permissions").scheduleWithFixedDelay(
                        () -> DataDirPermissions.restrict(dataDir, fileDropFolders), 0, 1, TimeUnit.SECONDS));
        // stopped after the services the other configurations add later (the sandbox, the console, the broker)
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws IOException {
                store.close();
                dataSource.close();
                if (dataDirLock != null) {
                    dataDirLock.close();
                }
            }
        }, true, true);
        // added after the service that closes the data source, so stopped before it
        if (H2Compaction.appliesTo(dataSource.getJdbcUrl())) {
            context.addService(new H2Compaction(context, dataSource), true, true);
        }
    }

    private static Path dataDir(Settings settings) {
        return Path.of(settings.string("hub.data-dir")).toAbsolutePath();
    }

    /** The JSON mapper of the hub: unknown fields ignored, wrong types and absurdly deep documents refused. */
    static ObjectMapper objectMapperForJson() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        // hostile input: no absurdly deep documents
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(JsonViolations.MAX_NESTING_DEPTH).build());
        // "name": 123 or "lat": "x" is a type error, not silently converted
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return mapper;
    }

    static HikariDataSource dataSource(Settings settings, Path dataDir) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("hub-db");
        // WRITE_DELAY=0: H2 otherwise keeps the last second of commits in memory, lost if the process is killed;
        // DB_CLOSE_ON_EXIT=FALSE: the hub closes the database after its routes stopped (H2's own shutdown hook would
        // close it under the work still finishing on SIGTERM)
        config.setJdbcUrl(settings.optional("hub.db.url").orElse("jdbc:h2:file:" + dataDir.resolve("db").resolve("hub")
                + ";WRITE_DELAY=0;RETENTION_TIME=5000;DB_CLOSE_ON_EXIT=FALSE"));
        config.setUsername(settings.string("hub.db.username"));
        config.setPassword(settings.string("hub.db.password"));
        config.setMaximumPoolSize(settings.integer("hub.db.pool-size"));
        // an unreachable database fails requests (and the readiness check) within seconds, not Hikari's 30
        config.setConnectionTimeout(settings.number("hub.db.connection-timeout-ms"));
        // a connection broken by an outage is never handed out again once the database is back
        config.setExceptionOverrideClassName(BrokenConnectionEviction.class.getName());
        return new HikariDataSource(config);
    }

    /**
     * {@code hub.crypto.key}: comma-separated keys (base64, 32 bytes each), the first encrypting and all decrypting;
     * or a random key kept under the data dir.
     */
    static List<byte[]> cryptoKeys(Settings settings, Path dataDir, boolean sandboxMode) throws IOException {
        List<String> encoded = settings.list("hub.crypto.key");
        if (!encoded.isEmpty()) {
            List<byte[]> keys = new ArrayList<>();
            for (int i = 0; i < encoded.size(); i++) {
                try {
                    keys.add(Base64.getDecoder().decode(encoded.get(i)));
                } catch (IllegalArgumentException e) {
                    // not chained: its message quotes a character of the key
                    throw new IllegalArgumentException("hub.crypto.key: key " + (i + 1) + " of " + encoded.size() + " is not base64");
                }
            }
            return keys;
        }
        Path file = dataDir.resolve("keys").resolve("results.key");
        if (!sandboxMode && !Files.exists(file)) {
            LOG.warn("hub.crypto.key is not set: stored credentials are encrypted with a generated key kept in {};"
                    + " set hub.crypto.key (HUB_CRYPTO_KEY) to keep the key apart from the data", file);
        }
        return List.of(keyFile(file, "key for stored results"));
    }

    /**
     * The data dir holds stored credentials, keys, the broker journal and dropped files: it and the folders the
     * embedded database and broker write into are rwx------ before they start (see {@link DataDirPermissions}).
     */
    private static void ownerOnly(Path dataDir, boolean embeddedDatabase, boolean embeddedBroker) throws IOException {
        List<String> folders = new ArrayList<>(List.of("keys"));
        if (embeddedDatabase) {
            folders.addAll(DataDirPermissions.DATABASE_FOLDERS);
        }
        if (embeddedBroker) {
            folders.addAll(DataDirPermissions.BROKER_FOLDERS);
        }
        try {
            DataDirPermissions.prepare(dataDir, folders);
        } catch (IOException e) {
            if (!Files.isDirectory(dataDir)) {
                throw e;
            }
            LOG.warn("cannot make {} readable by its owner only: {}", dataDir, e.getClass().getSimpleName());
        }
    }

    /** The file-drop folders (inbox, outbox, leader folder), left to the file-drop channel's own permissions. */
    private static Set<Path> fileDropFolders(Settings settings) {
        Path inbox = Path.of(settings.string("hub.file.inbox")).toAbsolutePath().normalize();
        return Set.of(inbox, Path.of(settings.string("hub.file.outbox")).toAbsolutePath().normalize(),
                Path.of(settings.optional("hub.file.leader-dir").orElse(inbox.resolve(".leader").toString())).toAbsolutePath().normalize());
    }

    /** Reads a random 32-byte key, creating it (owner-only) on first use. */
    static byte[] keyFile(Path file, String what) throws IOException {
        if (Files.exists(file)) {
            return Files.readAllBytes(file);
        }
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, key);
        LOG.info("generated a {} in {}", what, file);
        return key;
    }
}
