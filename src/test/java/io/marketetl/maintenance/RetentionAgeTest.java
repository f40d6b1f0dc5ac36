package io.marketetl.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionAgeTest {

    @Test
    void aNumberAndAUnit() {
        assertThat(RetentionAge.parse("X", "90m")).contains(Duration.ofMinutes(90));
        assertThat(RetentionAge.parse("X", "12h")).contains(Duration.ofHours(12));
        assertThat(RetentionAge.parse("X", " 30d ")).contains(Duration.ofDays(30));
        assertThat(RetentionAge.parse("X", "2w")).contains(Duration.ofDays(14));
    }

    @Test
    void emptyKeepsForever() {
        assertThat(RetentionAge.parse("X", "")).isEmpty();
        assertThat(RetentionAge.parse("X", "  ")).isEmpty();
        assertThat(RetentionAge.parse("X", null)).isEmpty();
    }

    @Test
    void anythingElseIsOneLineNamingTheVariableAndTheFormat() {
        for (String bad : new String[] {"30", "30x", "d", "-1d", "1.5d", "0d", "30 d", "30D", "P30D"}) {
            assertThatThrownBy(() -> RetentionAge.parse("MARKET_ETL_RETENTION_WEBSOCKET_MESSAGES", bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("MARKET_ETL_RETENTION_WEBSOCKET_MESSAGES: '" + bad.strip() + "'")
                    .hasMessageContaining("e.g. 30d").hasMessageNotContaining("\n");
        }
    }

    @Test
    void thePolicyReadsEachTablesSettingAndIsOffWithoutAny() {
        RetentionPolicy none = RetentionPolicy.fromSettings(key -> "", 10);
        assertThat(none.off()).isTrue();
        assertThat(none.describe()).isEqualTo("nothing");

        Map<String, String> settings = Map.of("market-etl.retention.websocket-messages", "30d",
                "market-etl.retention.malformed-frames", "36h");
        RetentionPolicy some = RetentionPolicy.fromSettings(k -> settings.getOrDefault(k, ""), 10);
        assertThat(some.off()).isFalse();
        assertThat(some.age(RetentionTable.WEBSOCKET_MESSAGES)).contains(Duration.ofDays(30));
        assertThat(some.age(RetentionTable.WEBSOCKET_BATCHES)).isEmpty();
        assertThat(some.describe()).isEqualTo("websocket_messages older than 30d, malformed_frames older than 36h");

        assertThatThrownBy(() -> RetentionPolicy.fromSettings(
                k -> k.equals("market-etl.retention.api-connector-data") ? "1 month" : "", 10))
                .hasMessageStartingWith("MARKET_ETL_RETENTION_API_CONNECTOR_DATA: '1 month' is not an age");
        assertThatThrownBy(() -> RetentionPolicy.fromSettings(k -> "", 0))
                .hasMessage("MARKET_ETL_RETENTION_CHUNK_ROWS must be at least 1, got 0");
    }
}
