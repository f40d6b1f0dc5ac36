package io.marketetl.stamp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Message numbers of a source first seen while the database is away. */
class MessageNumbersOutageTest {

    @Test
    void aSeedWaitingForTheDatabaseGivesUpWhenTheApplicationStops() throws Exception {
        try (TestDatabase db = TestDatabase.create();
                TcpProxy path = new TcpProxy(db.settings().host(), db.settings().port());
                HikariDataSource pool = db.poolThrough(path.port())) {
            MessageNumbers numbers = new MessageNumbers(pool, Duration.ofSeconds(5));
            assertThat(numbers.reserve("known", 3)).isEqualTo(1);
            path.cut();
            CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> numbers.reserve("new", 1));
            // it waits (back-pressure), and keeps waiting while the database is away
            assertThat(first).isNotDone();
            assertThat(numbers.reserve("known", 2)).as("a source already seen is not held up").isEqualTo(4);

            numbers.stopping();
            // a deadline for a hang, not a speed measurement
            await().atMost(Duration.ofSeconds(30)).until(first::isDone);
            assertThatThrownBy(first::get).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("not accepted");
            assertThat(numbers.last("new")).as("no number was handed out").isZero();
        }
    }
}
