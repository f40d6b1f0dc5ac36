package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.SettingsTable;
import io.marketetl.normalise.Normaliser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "## Sources" section of application.properties: listed by --help, and bound to the component by camel-main. */
class SourcePropertiesTest {

    static String sourcesSection() throws Exception {
        String all = Files.readString(Path.of("application.properties"), StandardCharsets.UTF_8);
        int start = all.indexOf("## Sources");
        int end = all.indexOf("\n## ", start + 1);
        return all.substring(start, end < 0 ? all.length() : end);
    }

    @Test
    void everySourceSettingHasAnEnvironmentVariableAndADescription() throws Exception {
        Map<String, SettingsTable.Setting> settings = SettingsTable.fromProperties(sourcesSection()).settings().stream()
                .collect(Collectors.toMap(SettingsTable.Setting::key, Function.identity()));
        assertThat(settings.get("market-etl.okx.ws-url").envVar()).isEqualTo("OKX_WS_URL");
        assertThat(settings.get("market-etl.okx.ws-url").defaultValue()).isEqualTo("wss://ws.okx.com/ws/v5/public");
        assertThat(settings.get("market-etl.binance.ws-url").defaultValue()).isEqualTo("wss://stream.binance.com:9443");
        assertThat(settings.get("market-etl.okx.rest-url").defaultValue()).isEqualTo("https://www.okx.com");
        assertThat(settings.get("market-etl.binance.rest-url").defaultValue()).isEqualTo("https://api.binance.com");
        assertThat(settings.get("market-etl.source.max-connection-age-ms").defaultValue()).isEqualTo("85800000");
        assertThat(settings).hasSize(27); // main's 24 + handover-max-overlap-ms + frames-per-exchange + frame-linger-us
        assertThat(settings.values()).allSatisfy(s -> assertThat(s.description()).isNotBlank());
    }

    @Test
    void camelMainBindsTheDefaultsToTheComponent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sources.properties");
        Files.writeString(file, sourcesSection());
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:" + file);
        main.addOverrideProperty("market-etl.source.stale-after-ms", "45000");
        main.start();
        try {
            ExchangeComponent component = main.getCamelContext().getComponent("exchange", ExchangeComponent.class);
            SourceConfig d = component.getDefaults();
            assertThat(d.getStaleAfterMs()).isEqualTo(45000);
            assertThat(d.getPingIntervalMs()).isEqualTo(20000);
            assertThat(d.getPongTimeoutMs()).isEqualTo(10000);
            assertThat(d.getStaleFactor()).isEqualTo(5.0);
            assertThat(d.getBackoffMaxMs()).isEqualTo(60000);
            assertThat(d.getMaxConnectionAgeMs()).isEqualTo(85_800_000L);
            assertThat(d.getHandoverMaxOverlapMs()).isEqualTo(10_000L);
            assertThat(d.getQueueHighWater()).isEqualTo(10000);
            assertThat(d.getQueueLowWater()).isEqualTo(5000);
            assertThat(d.getHostConnectIntervalMs()).isEqualTo(350);
            assertThat(main.getCamelContext().getRegistry().lookupByName("normalise")).isInstanceOf(Normaliser.class);
            ExchangeEndpoint e = main.getCamelContext().getEndpoint(
                    "exchange:okx-p?dialect=okx&instruments=BTC-USDT&url={{market-etl.okx.ws-url}}", ExchangeEndpoint.class);
            assertThat(e.getConfig().getStaleAfterMs()).isEqualTo(45000);
            assertThat(e.getDialect().connectUrl()).isEqualTo("wss://ws.okx.com/ws/v5/public");
        } finally {
            main.stop();
        }
    }
}
