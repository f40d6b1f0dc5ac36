package io.marketetl.source.dialect;

import io.marketetl.source.RawFrame;
import io.marketetl.source.SourceConfig;
import java.time.Instant;

/** Test helpers: dialects built from options, frames with fixed arrival stamps. */
final class Frames {

    static final Instant RECEIVED = Instant.parse("2025-07-10T09:20:00.500Z");
    static final long NANOS = 123_456_789L;

    private Frames() {
    }

    static RawFrame frame(ExchangeDialect dialect, String text) {
        return new RawFrame(dialect.sourceId(), dialect, text, RECEIVED, NANOS);
    }

    static OkxDialect okx(String channels, String instruments) {
        return new OkxDialect(new SourceConfig().sourceId("okx-1").dialect("okx").channels(channels)
                .instruments(instruments).validate());
    }

    static BinanceDialect binance(String channels, String instruments) {
        return new BinanceDialect(new SourceConfig().sourceId("bn-1").dialect("binance").channels(channels)
                .instruments(instruments).validate());
    }
}
