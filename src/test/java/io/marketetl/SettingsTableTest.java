package io.marketetl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every setting is documented where a user looks: `--help` and the README's configuration table. */
class SettingsTableTest {

    private static SettingsTable settings() throws Exception {
        return SettingsTable.fromProperties(Files.readString(Path.of("application.properties")));
    }

    @Test
    void everyEnvironmentOverridableSettingHasADescription() throws Exception {
        SettingsTable table = settings();
        assertThat(table.settings()).extracting(SettingsTable.Setting::envVar)
                .contains("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB");
        assertThat(table.settings()).allSatisfy(s -> assertThat(s.description()).as(s.key()).isNotBlank());
        assertThat(table.settings()).filteredOn(s -> s.envVar().equals("POSTGRES_PASSWORD"))
                .singleElement().extracting(SettingsTable.Setting::defaultValue).isEqualTo("");
        assertThat(table.settings()).filteredOn(s -> s.envVar().equals("POSTGRES_DB"))
                .singleElement().extracting(SettingsTable.Setting::defaultValue).isEqualTo("etl_tool");
    }

    @Test
    void readmeTableIsTheGeneratedOne() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(SettingsTable.withTableIn(readme, settings()))
                .as("README settings table is stale: run `java -cp target/classes io.marketetl.SettingsTable`")
                .isEqualTo(readme);
    }

    @Test
    void helpListsEverySettingWithItsDefault() throws Exception {
        String help = Application.usage();
        for (SettingsTable.Setting s : settings().settings()) {
            assertThat(help).containsPattern("(?m)^  " + s.envVar() + " +\\Q"
                    + (s.defaultValue().isEmpty() ? "(empty)" : s.defaultValue()) + "\\E");
        }
    }
}
