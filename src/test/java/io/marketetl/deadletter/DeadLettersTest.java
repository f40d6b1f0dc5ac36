package io.marketetl.deadletter;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.pipeline.PipelineMetrics;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The dead_letters writer alone, on a real database: what it stores, its bounded retention and its counter. */
class DeadLettersTest {

    @Test
    void keepsAtMostMaxRowsTheNewestAndCountsEachLetterBySourceAndReason() throws SQLException {
        try (TestDatabase db = TestDatabase.create()) {
            DefaultCamelContext context = PipelineHarness.create(db.dataSource(), Map.of());
            PipelineMetrics metrics = new PipelineMetrics(context);
            DeadLetters letters = new DeadLetters(db.dataSource(), 5, Duration.ofMillis(100), metrics);
            Instant at = Instant.parse("2026-12-03T08:00:00Z");
            for (int i = 1; i <= 12; i++) {
                letters.store("okx-spot", DeadLetters.Kind.MALFORMED_FRAME, "missing_field:px", "frame " + i + "\0",
                        at.plusSeconds(i));
            }
            letters.store("bn", DeadLetters.Kind.REFUSED_ROW, "sqlstate_22P05: message #7", "{\"x\":\"\\ud800\"}", at);

            // at most 5 rows: the newest; a NUL (which TEXT cannot hold) became U+FFFD
            assertThat(count(db.dataSource(), "SELECT count(*) FROM dead_letters")).isEqualTo(5);
            assertThat(rows(db.dataSource(), "SELECT payload FROM dead_letters ORDER BY id")).containsExactly(
                    List.of("frame 9\uFFFD"), List.of("frame 10\uFFFD"), List.of("frame 11\uFFFD"),
                    List.of("frame 12\uFFFD"), List.of("{\"x\":\"\\ud800\"}"));
            assertThat(rows(db.dataSource(), "SELECT kind, reason FROM dead_letters ORDER BY id DESC LIMIT 1"))
                    .containsExactly(List.of("refused_row", "sqlstate_22P05: message #7"));
            assertThat(metrics.registry().find("market_etl_dead_letters").tag("source", "okx-spot")
                    .tag("reason", "missing_field").counter().count()).isEqualTo(12.0);
            assertThat(metrics.registry().find("market_etl_dead_letters").tag("source", "bn")
                    .tag("reason", "sqlstate_22P05").counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void theCounterTagIsTheReasonBeforeItsFirstColon() {
        assertThat(DeadLetters.tag("frame_too_large:5000000")).isEqualTo("frame_too_large");
        assertThat(DeadLetters.tag("invalid_json")).isEqualTo("invalid_json");
        assertThat(DeadLetters.tag("x".repeat(100))).hasSize(40);
    }

    @Test
    void aRetentionBelowOneRowIsRefused() {
        assertThatThrownBy(() -> new DeadLetters(new org.postgresql.ds.PGSimpleDataSource(), 0, Duration.ofSeconds(1),
                new PipelineMetrics(new DefaultCamelContext())))
                .hasMessageContaining("MARKET_ETL_DEAD_LETTERS_MAX_ROWS");
    }
}
