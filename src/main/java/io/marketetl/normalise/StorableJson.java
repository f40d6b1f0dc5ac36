package io.marketetl.normalise;

/**
 * What PostgreSQL's JSON parser refuses in text that Java's accepts (a pure check). A string escape of a lone UTF-16
 * surrogate ({@code "\ud800"}, or a low surrogate without its high one) is valid JSON text for Jackson, but jsonb
 * refuses it (SQLSTATE 22P05 / 22P02): such a message could never be stored, and before it reached the database it
 * would cost its whole batch a row-by-row retry. The {@code \u0000} escape, which jsonb refuses too, is not a
 * problem here: the load stage stores it as {@code \ufffd}.
 */
public final class StorableJson {

    private StorableJson() {
    }

    /** The first problem of the JSON text for jsonb, or null when PostgreSQL can store it. */
    public static String problem(String json) {
        int n = json.length();
        int i = json.indexOf('\\');
        while (i >= 0 && i < n - 1) {
            char next = json.charAt(i + 1);
            if (next != 'u') {
                i = json.indexOf('\\', i + 2); // a two-character escape, e.g. \\ or \"
                continue;
            }
            int unit = hex4(json, i + 2);
            if (unit < 0) {
                return "bad_unicode_escape";
            }
            if (Character.isLowSurrogate((char) unit)) {
                return "lone_surrogate_escape";
            }
            if (Character.isHighSurrogate((char) unit)) {
                int low = i + 6 + 1 < n && json.charAt(i + 6) == '\\' && json.charAt(i + 7) == 'u' ? hex4(json, i + 8)
                        : -1;
                if (low < 0 || !Character.isLowSurrogate((char) low)) {
                    return "lone_surrogate_escape";
                }
                i = json.indexOf('\\', i + 12);
                continue;
            }
            i = json.indexOf('\\', i + 6);
        }
        return null;
    }

    private static int hex4(String s, int from) {
        if (from + 4 > s.length()) {
            return -1;
        }
        int v = 0;
        for (int k = from; k < from + 4; k++) {
            int d = Character.digit(s.charAt(k), 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }
}
