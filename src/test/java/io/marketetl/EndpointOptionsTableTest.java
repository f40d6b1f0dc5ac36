package io.marketetl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The api: endpoint's options are documented once (ApiConfig) and the README shows exactly that. */
class EndpointOptionsTableTest {

    @Test
    void readmeTableIsTheGeneratedOneWithEveryOptionDescribed() throws Exception {
        String props = Files.readString(Path.of("application.properties"));
        String table = EndpointOptionsTable.markdown(props);
        assertThat(table).contains("| `url` |", "| `credentials.*` |", "| `interval` | setting"
                + " `market-etl.connector.default-interval-ms` |", "| `method` | `GET` |");
        assertThat(table.lines().skip(2)).allSatisfy(row -> assertThat(row).doesNotEndWith("|  |"));
        String readme = Files.readString(Path.of("README.md"));
        assertThat(EndpointOptionsTable.withTableIn(readme, table))
                .as("README api: options table is stale: run io.marketetl.EndpointOptionsTable from the project folder")
                .isEqualTo(readme);
    }
}
