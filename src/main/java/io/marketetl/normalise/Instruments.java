package io.marketetl.normalise;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Locale;

/**
 * Instrument names in the project's canonical {@code BASE-QUOTE} form (OKX style, e.g. {@code BTC-USDT}).
 * <ul>
 * <li>Delimited forms ({@code BTC_USDT}, {@code btc/usdt}, {@code BTC-USDT}, {@code BTC:USDT}) are upper-cased and
 * joined with dashes; extra parts are kept ({@code BTC-USDT-SWAP}).</li>
 * <li>Undelimited forms ({@code BTCUSDT}, {@code btcusdt}) are split at the longest known quote-asset suffix
 * ({@code BTCTUSD} becomes {@code BTC-TUSD}, not {@code BTCT-USD}).</li>
 * <li>A symbol with no known quote suffix is returned upper-cased and unchanged.</li>
 * </ul>
 */
public final class Instruments {

    /** Quote assets recognised at the end of undelimited symbols, longest first. */
    public static final List<String> QUOTE_ASSETS = List.of(
            "FDUSD", "USDT", "USDC", "TUSD", "BUSD", "USDP", "USDE", "USD1", "EURI", "BIDR", "IDRT",
            "DAI", "USD", "EUR", "GBP", "TRY", "BRL", "JPY", "AUD", "RUB", "UAH", "ZAR", "PLN", "RON", "ARS",
            "MXN", "COP", "CZK", "NGN", "BTC", "ETH", "BNB", "XRP", "TRX", "DOGE", "SOL")
            .stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();

    private Instruments() {
    }

    /** Symbols already seen and their canonical form: a feed repeats the same few on every message. */
    private static final int CACHE_MAX = 10_000;
    private static final ConcurrentHashMap<String, String> CACHE = new ConcurrentHashMap<>();

    /** The canonical {@code BASE-QUOTE} form of an exchange symbol; null stays null, blank becomes null. */
    public static String normalise(String symbol) {
        if (symbol == null) {
            return null;
        }
        String known = CACHE.get(symbol);
        if (known != null) {
            return known;
        }
        String canonical = canonical(symbol);
        if (canonical != null && CACHE.size() < CACHE_MAX) { // bounded: past that, computed every time
            CACHE.put(symbol, canonical);
        }
        return canonical;
    }

    private static String canonical(String symbol) {
        String s = symbol.strip().toUpperCase(Locale.ROOT);
        if (s.isEmpty()) {
            return null;
        }
        if (s.indexOf('-') >= 0 || s.indexOf('_') >= 0 || s.indexOf('/') >= 0 || s.indexOf(':') >= 0) {
            return String.join("-", s.split("[-_/:]+"));
        }
        for (String quote : QUOTE_ASSETS) {
            if (s.length() > quote.length() && s.endsWith(quote)) {
                return s.substring(0, s.length() - quote.length()) + "-" + quote;
            }
        }
        return s;
    }

    /** Binance stream symbol for an instrument in any accepted form: {@code BTC-USDT} becomes {@code btcusdt}. */
    public static String toBinanceSymbol(String instrument) {
        String canonical = normalise(instrument);
        return canonical == null ? null : canonical.replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** OKX instId for an instrument in any accepted form: {@code btcusdt} becomes {@code BTC-USDT}. */
    public static String toOkxInstId(String instrument) {
        return normalise(instrument);
    }
}
