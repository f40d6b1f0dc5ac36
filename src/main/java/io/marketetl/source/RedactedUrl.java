package io.marketetl.source;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A URL fit to log and to store in {@code api_connectors.api_url}: credentials a feed URL may carry (user info, and
 * query parameters named like keys, tokens, secrets, signatures or passwords) are replaced by {@code ***}.
 * Credentials belong in {@code credentials_encrypted}, never in clear text.
 */
public final class RedactedUrl {

    private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@?#]*@");
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "([?&;][^=&#]*(?i:key|token|secret|sign|pass|auth|credential)[^=&#]*=)[^&#]*");

    private RedactedUrl() {
    }

    public static String of(String url) {
        if (url == null) {
            return null;
        }
        String out = USER_INFO.matcher(url).replaceFirst("$1***@");
        return SECRET_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + "***");
    }
}
