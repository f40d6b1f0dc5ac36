package io.marketetl.exchanges;

import io.marketetl.source.RawFrame;
import io.marketetl.source.SourceConfig;
import java.time.Instant;

/** Test helpers: dialects built from options, frames with fixed arrival stamps. */
public final class Frames {

    public static final Instant RECEIVED = Instant.parse("2025-07-10T09:20:00.500Z");
    public static final long NANOS = 123_456_789L;

    private Frames() {
    }

    public static RawFrame frame(ExchangeDialect dialect, String text) {
        return new RawFrame(dialect.sourceId(), dialect, text, RECEIVED, NANOS);
    }

    public static io.marketetl.exchanges.okx.OkxDialect okx(String channels, String instruments) {
        return new io.marketetl.exchanges.okx.OkxDialect(new SourceConfig().sourceId("okx-1").dialect("okx").channels(channels)
                .instruments(instruments).validate());
    }

    public static io.marketetl.exchanges.binance.BinanceDialect binance(String channels, String instruments) {
        return new io.marketetl.exchanges.binance.BinanceDialect(new SourceConfig().sourceId("bn-1").dialect("binance").channels(channels)
                .instruments(instruments).validate());
    }
}
