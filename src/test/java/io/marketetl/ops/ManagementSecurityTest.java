package io.marketetl.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.db.StartupFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class ManagementSecurityTest {

    @Test
    void theUsersFileIsOwnerOnlyAndInVertxFormat() throws Exception {
        Path file = ManagementSecurity.writeUsersFile("ops", "p@ss w0rd!");
        try {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(Files.readString(file)).isEqualTo("user.ops = p@ss w0rd!\n");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void passwordsVertxWouldChangeAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> ManagementSecurity.writeUsersFile("ops", "a,b"))
                .isInstanceOf(StartupFailure.class).hasMessageContaining("MARKET_ETL_MANAGEMENT_PASSWORD")
                .hasMessageNotContaining("a,b");
        assertThatThrownBy(() -> ManagementSecurity.writeUsersFile("ops", " lead"))
                .isInstanceOf(StartupFailure.class);
        assertThatThrownBy(() -> ManagementSecurity.writeUsersFile("o=ps", "x"))
                .isInstanceOf(StartupFailure.class).hasMessageContaining("MARKET_ETL_MANAGEMENT_USER");
    }
}
