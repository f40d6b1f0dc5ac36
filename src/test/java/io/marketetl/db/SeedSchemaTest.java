package io.marketetl.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.SchemaSnapshot;
import io.marketetl.testsupport.SeedDocument;
import io.marketetl.testsupport.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The schema against the seed document, through PostgreSQL's own catalogs: a database built from the document's
 * CREATE statements is the reference; V1 must equal it column by column, and the latest schema may differ only
 * where a later migration says why.
 */
class SeedSchemaTest {

    /**
     * Every way the latest schema differs from the seed, keyed by "table | column": the catalog row it has now.
     * Each is explained in the migration that made it (V2: BIGINT counters).
     */
    private static final Map<String, String> WIDENED_COLUMNS = Map.of(
            "websocket_messages | id", "websocket_messages | id | bigint | null | 64 | 0 | NO | nextval('websocket_messages_id_seq'::regclass)",
            "websocket_messages | message_number", "websocket_messages | message_number | bigint | null | 64 | 0 | YES | null",
            "websocket_batches | id", "websocket_batches | id | bigint | null | 64 | 0 | NO | nextval('websocket_batches_id_seq'::regclass)",
            "api_connector_data | id", "api_connector_data | id | bigint | null | 64 | 0 | NO | nextval('api_connector_data_id_seq'::regclass)");

    /**
     * Seed indexes a later migration dropped, with the migration that says why (V4: measured, every seed query's
     * plan still uses an index, see IndexUsageTest).
     */
    private static final Map<String, String> DROPPED_INDEXES = Map.of(
            "idx_websocket_messages_timestamp", "V4: prefix of (timestamp DESC, exchange)",
            "idx_websocket_messages_exchange", "V4: prefix of (exchange, instrument, timestamp DESC)",
            "idx_websocket_messages_instrument", "V4: prefix of (instrument, timestamp DESC)",
            "idx_websocket_messages_price", "V4: no query filters or sorts on price",
            "idx_websocket_messages_message_number", "V4: replaced by (connector_id, message_number)");

    @Test
    void seedDocumentDefinesFiveTablesAndTwentyOneIndexes() {
        List<String> statements = SeedDocument.schemaStatements();
        assertThat(statements.stream().filter(s -> s.startsWith("CREATE TABLE"))).hasSize(5);
        assertThat(statements.stream().filter(s -> s.startsWith("CREATE INDEX"))).hasSize(21);
    }

    @Test
    void v1MigrationIsExactlyTheSeedDocumentsSchema() {
        try (TestDatabase reference = seedReference(); TestDatabase v1 = TestDatabase.createEmpty()) {
            Flyway.configure().dataSource(v1.dataSource()).locations("classpath:db/migration").target("1").load()
                    .migrate();
            SchemaSnapshot expected = SchemaSnapshot.of(reference.dataSource());
            SchemaSnapshot actual = SchemaSnapshot.of(v1.dataSource());
            assertThat(actual.columns()).hasSize(14 + 8 + 15 + 10 + 13).containsExactlyElementsOf(expected.columns());
            assertThat(actual.constraints()).containsExactlyElementsOf(expected.constraints());
            assertThat(actual.indexes()).containsExactlyElementsOf(expected.indexes());
        }
    }

    @Test
    void latestSchemaKeepsEverySeedColumnConstraintAndIndexOrSaysWhy() {
        try (TestDatabase reference = seedReference(); TestDatabase latest = TestDatabase.create()) {
            SchemaSnapshot seed = SchemaSnapshot.of(reference.dataSource());
            SchemaSnapshot now = SchemaSnapshot.of(latest.dataSource());
            List<String> unexplained = new ArrayList<>();
            for (String seedColumn : seed.columns()) {
                String key = key(seedColumn, 2);
                Optional<String> current = now.columns().stream().filter(c -> key(c, 2).equals(key)).findFirst();
                if (current.isEmpty()) {
                    unexplained.add("missing column " + key);
                } else if (!current.get().equals(seedColumn)
                        && !current.get().equals(WIDENED_COLUMNS.get(key))) {
                    unexplained.add("changed column " + current.get() + " (seed: " + seedColumn + ")");
                }
            }
            for (String constraint : seed.constraints()) {
                if (!now.constraints().contains(constraint)) {
                    unexplained.add("missing constraint " + constraint);
                }
            }
            for (String index : seed.indexes()) {
                String name = index.split(" \\| ")[1];
                if (!now.indexes().contains(index) && !DROPPED_INDEXES.containsKey(name)) {
                    unexplained.add("missing index " + index);
                }
            }
            for (String dropped : DROPPED_INDEXES.keySet()) {
                assertThat(now.indexes()).noneMatch(i -> i.split(" \\| ")[1].equals(dropped));
            }
            assertThat(unexplained).isEmpty();
            assertThat(now.columns()).containsAll(WIDENED_COLUMNS.values());
        }
    }

    @Test
    void packagedCopyOfTheSeedDocumentIsTheSharedOne() throws IOException {
        Path shared = Path.of("..", "shared", "seed", "postgresql-database-setup.md");
        Assumptions.assumeTrue(Files.isRegularFile(shared), "shared/ is not beside this checkout");
        assertThat(SeedDocument.text()).isEqualTo(Files.readString(shared, StandardCharsets.UTF_8));
    }

    private static TestDatabase seedReference() {
        TestDatabase reference = TestDatabase.createEmpty();
        for (String statement : SeedDocument.schemaStatements()) {
            reference.execute(statement);
        }
        return reference;
    }

    private static String key(String catalogRow, int fields) {
        String[] parts = catalogRow.split(" \\| ");
        return String.join(" | ", List.of(parts).subList(0, fields));
    }
}
