package vn.onboardinghub;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

import static org.assertj.core.api.Assertions.assertThat;

/** What the hub keeps (stored credentials, keys, the broker journal, dropped files) is readable by its user only. */
class DataDirPermissionsTest {

    @Test
    void theDataDirAndItsKeysAreTheOwnersOnly() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-perms").resolve("data");
        try (TestHub hub = TestHub.start(Map.of("hub.data-dir", dataDir.toString()))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("keys")))).isEqualTo("rwx------");
            try (var keys = Files.list(dataDir.resolve("keys"))) {
                assertThat(keys.toList()).isNotEmpty().allSatisfy(key ->
                        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------"));
            }
        }
    }

    @Test
    void everyFolderAndFileTheHubCreatesUnderTheDataDirIsTheOwnersOnly() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-perms").resolve("data");
        try (TestHub hub = TestHub.start(Map.of("hub.data-dir", dataDir.toString()))) {
            // the embedded database and broker wrote their files
            assertThat(dataDir.resolve("db")).isDirectory();
            assertThat(dataDir.resolve("broker").resolve("journal")).isDirectory();
            // the broker adds journal files as it compacts (every few seconds): each is owner-only within a second
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                try (var everything = Files.walk(dataDir)) {
                    List<Path> paths = everything.filter(p -> !p.startsWith(dataDir.resolve("inbox")) && !p.startsWith(dataDir.resolve("outbox"))).toList();
                    assertThat(paths).anySatisfy(p -> assertThat(p.getFileName().toString()).endsWith(".mv.db"))
                            .anySatisfy(p -> assertThat(p.toString()).contains("journal").endsWith(".amq"));
                    assertThat(paths).allSatisfy(p -> assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                            .as(dataDir.relativize(p).toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------"));
                }
            });
            // a file the database or broker creates while the hub runs (as the process's umask makes it)
            Path later = Files.createFile(dataDir.resolve("db").resolve("created-later.tmp"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(later))).isEqualTo("rw-------"));
        }
    }
}
