package io.marketetl.testsupport;

import io.marketetl.normalise.MarketMessage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Realistic normalised messages for one source, as the normaliser would produce them: OKX trades (1 to 3 per frame,
 * the exchange's trade item as {@code data}) or Binance trades (one per frame). Prices walk randomly around
 * realistic levels; trade ids and sequence numbers increase. Deterministic for a given seed, except the trade ids:
 * each factory takes its own block of ids (a billion wide), so that two factories never make the same trade (the
 * natural key would store it once); a test that means to replay trades makes the same messages again with
 * {@link #MarketMessageFactory(String, Style, long, int, long)}.
 */
public final class MarketMessageFactory {

    public enum Style { OKX, BINANCE }

    private static final String[] INSTRUMENTS = {"BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "DOGE-USDT",
        "BNB-USDT", "ADA-USDT", "AVAX-USDT", "LINK-USDT", "TON-USDT", "DOT-USDT", "LTC-USDT"};
    private static final double[] LEVELS = {108250.0, 2540.0, 151.2, 2.31, 0.1642, 655.4, 0.5821, 21.87, 13.52,
        2.98, 3.41, 86.7};

    private final String sourceId;
    private final Style style;
    private final SplittableRandom random;
    private final double[] prices = LEVELS.clone();
    private final int instruments;
    private static final java.util.concurrent.atomic.AtomicLong TRADE_ID_BLOCKS =
            new java.util.concurrent.atomic.AtomicLong(781_234_567L);
    private long tradeId;
    private long seqId = 44_556_677L;

    public MarketMessageFactory(String sourceId, Style style, long seed) {
        this(sourceId, style, seed, INSTRUMENTS.length);
    }

    public MarketMessageFactory(String sourceId, Style style, long seed, int instruments) {
        this(sourceId, style, seed, instruments, TRADE_ID_BLOCKS.getAndAdd(1_000_000_000L));
    }

    /** A factory whose first trade id is {@code lastTradeId + 1}: the same arguments make the same trades. */
    public MarketMessageFactory(String sourceId, Style style, long seed, int instruments, long lastTradeId) {
        this.tradeId = lastTradeId;
        this.sourceId = sourceId;
        this.style = style;
        this.random = new SplittableRandom(seed);
        this.instruments = Math.max(1, Math.min(instruments, INSTRUMENTS.length));
    }

    public String sourceId() {
        return sourceId;
    }

    /** One frame: messages whose exchange event time is {@code eventTime}, arriving now. */
    public List<MarketMessage> frame(Instant eventTime) {
        return frame(eventTime, style == Style.OKX ? 1 + random.nextInt(3) : 1);
    }

    /** One frame of exactly {@code count} messages. */
    public List<MarketMessage> frame(Instant eventTime, int count) {
        Instant receivedAt = Instant.now();
        long receivedNanos = System.nanoTime();
        int i = random.nextInt(instruments);
        List<MarketMessage> out = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            prices[i] = prices[i] * (1 + (random.nextDouble() - 0.5) * 0.0004);
            BigDecimal px = BigDecimal.valueOf(prices[i]).round(new java.math.MathContext(7, RoundingMode.HALF_UP));
            String size = BigDecimal.valueOf(random.nextDouble() * 2).setScale(4, RoundingMode.HALF_UP)
                    .toPlainString();
            long ms = eventTime.toEpochMilli();
            tradeId++;
            seqId++;
            String data;
            String exchange;
            String format;
            String instrument = INSTRUMENTS[i];
            if (style == Style.OKX) {
                exchange = "okx";
                format = "OKX";
                data = "{\"instId\":\"" + instrument + "\",\"tradeId\":\"" + tradeId + "\",\"px\":\"" + px.toPlainString()
                        + "\",\"sz\":\"" + size + "\",\"side\":\"" + (random.nextBoolean() ? "buy" : "sell")
                        + "\",\"ts\":\"" + ms + "\",\"count\":\"" + (1 + random.nextInt(4))
                        + "\",\"source\":\"0\",\"seqId\":" + seqId + "}";
            } else {
                exchange = "binance";
                format = "Binance";
                String symbol = instrument.replace("-", "");
                data = "{\"e\":\"trade\",\"E\":" + ms + ",\"s\":\"" + symbol + "\",\"t\":" + tradeId + ",\"p\":\""
                        + px.setScale(8, RoundingMode.HALF_UP).toPlainString() + "\",\"q\":\"" + size + "0000\",\"T\":"
                        + (ms - 1) + ",\"m\":" + random.nextBoolean() + ",\"M\":true}";
            }
            out.add(new MarketMessage(sourceId, exchange, format, "trade", instrument, px, data,
                    Long.toString(tradeId), eventTime, receivedAt, receivedNanos,
                    data.getBytes(StandardCharsets.UTF_8).length + (count > 1 ? 40 / count : 60)));
        }
        return out;
    }
}
