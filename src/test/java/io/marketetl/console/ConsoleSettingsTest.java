package io.marketetl.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.marketetl.InProcessApplication;
import io.marketetl.db.Causes;
import io.marketetl.db.StartupFailure;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A console setting that cannot work is one line naming its variable at start-up, before the database is used. */
class ConsoleSettingsTest {

    @TempDir
    Path work;

    private static StartupFailure failure(Path work, String key, String value) {
        TestDatabase never = TestDatabase.reserveName(); // never created: the check comes first
        Throwable t = catchThrowable(() -> InProcessApplication.start(never, work, Map.of(key, value)).close());
        StartupFailure f = Causes.find(t, StartupFailure.class);
        assertThat(f).as("start-up failure of %s=%s in %s", key, value, t).isNotNull();
        assertThat(f.exitCode()).isEqualTo(StartupFailure.Kind.BAD_CONFIGURATION.exitCode);
        assertThat(never.exists()).isFalse();
        return f;
    }

    @Test
    void aRateWindowOfZeroAndARefreshUnder500MsAreRefusedByName() {
        assertThat(failure(work, "market-etl.console.rate-window-ms", "0").getMessage())
                .isEqualTo("MARKET_ETL_CONSOLE_RATE_WINDOW_MS must be a positive number of milliseconds");
        assertThat(failure(work, "market-etl.console.refresh-ms", "100").getMessage())
                .isEqualTo("MARKET_ETL_CONSOLE_REFRESH_MS must be at least 500 (milliseconds)");
    }
}
