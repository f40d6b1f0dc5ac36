package io.marketetl.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** A caller's own bound on the wait for a pool connection, below the pool's (60 s here). */
class BoundedWaitDataSourceTest {

    @Test
    void withTheDatabaseAwayACallerWaitsItsOwnBoundNotThePools() throws Exception {
        try (TestDatabase db = TestDatabase.create();
                TcpProxy path = new TcpProxy(db.settings().host(), db.settings().port());
                HikariDataSource pool = poolThrough(db, path.port(), Duration.ofSeconds(60))) {
            DataSource bounded = BoundedWaitDataSource.of(pool, Duration.ofMillis(300));
            try (Connection c = bounded.getConnection()) {
                assertThat(c.isValid(5)).isTrue();
            }
            path.cut();
            pool.getHikariPoolMXBean().softEvictConnections();
            CompletableFuture<Void> attempt = CompletableFuture.runAsync(() -> {
                try (Connection c = bounded.getConnection()) {
                    c.createStatement().execute("SELECT 1");
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            // a deadline far below the pool's 60 s, far above the caller's 0.3 s: which wait applied
            await().atMost(Duration.ofSeconds(20)).until(attempt::isDone);
            assertThat(attempt).isCompletedExceptionally();
            path.restore();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try (Connection c = bounded.getConnection()) {
                    return c.isValid(5);
                }
            });
        }
    }

    private static HikariDataSource poolThrough(TestDatabase db, int port, Duration timeout) {
        DatabaseSettings s = db.settings();
        return DatabaseBootstrap.openPool(new DatabaseSettings(s.host(), port, s.user(), s.password(), s.database(),
                s.maintenanceDatabase(), s.jdbcOptions(), s.startupWait(), s.startupMaxBackoff(), 1, 4, timeout));
    }
}
