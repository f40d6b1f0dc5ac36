package io.marketetl.exchanges.custom;

import io.marketetl.exchanges.ExchangeDialect;
import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.source.SourceConfig;

/** Custom: see {@link CustomDialect} for its WebSocket side. */
public final class CustomModule implements ExchangeModule {

    @Override
    public String name() {
        return "custom";
    }

    @Override
    public ExchangeDialect dialect(SourceConfig config) {
        return new CustomDialect(config);
    }
}
