package io.marketetl.simulator;

/** Allocation-light number and JSON string formatting for the hot data path (decimal strings are exact). */
final class Fmt {

    private Fmt() {
    }

    /** {@code units / 10^scale} with trailing zeros trimmed, as OKX prints ("108251.3", "0.0123"). */
    static StringBuilder plain(StringBuilder sb, long units, int scale) {
        int start = sb.length();
        fixed(sb, units, scale, scale);
        if (scale > 0) {
            int end = sb.length();
            while (end > start && sb.charAt(end - 1) == '0') {
                end--;
            }
            if (sb.charAt(end - 1) == '.') {
                end--;
            }
            sb.setLength(end);
        }
        return sb;
    }

    /** {@code units / 10^scale} printed with exactly {@code outScale >= scale} decimals, as Binance prints. */
    static StringBuilder fixed(StringBuilder sb, long units, int scale, int outScale) {
        if (outScale < scale) {
            throw new IllegalArgumentException("outScale < scale");
        }
        long v = units * MarketDataGenerator.POW10[outScale - scale];
        if (v < 0) {
            sb.append('-');
            v = -v;
        }
        if (outScale == 0) {
            return sb.append(v);
        }
        long p = MarketDataGenerator.POW10[outScale];
        sb.append(v / p).append('.');
        String frac = Long.toString(v % p);
        for (int i = frac.length(); i < outScale; i++) {
            sb.append('0');
        }
        return sb.append(frac);
    }

    /** Appends {@code s} as a JSON string literal. */
    static StringBuilder str(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
