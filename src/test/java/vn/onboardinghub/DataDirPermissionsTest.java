package vn.onboardinghub;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

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
}
