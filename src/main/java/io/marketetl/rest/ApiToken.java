package io.marketetl.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.camel.Exchange;

/**
 * The REST API's credentials: {@code Authorization: Bearer $MARKET_ETL_API_TOKEN}. Writes always need the token
 * (refused with 403 while none is configured, so that the write API is never open by default); reads need it only
 * when {@code MARKET_ETL_API_READS_NEED_TOKEN} is true. The token is compared in constant time and never shown.
 */
public final class ApiToken {

    static final String CHALLENGE_HEADER = "WWW-Authenticate";
    private static final String PREFIX = "Bearer ";

    private final byte[] token;
    private final boolean readsNeedToken;

    /**
     * @throws IllegalArgumentException (one line naming both variables) when reads need a token but none is set
     */
    public ApiToken(String token, boolean readsNeedToken) {
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.readsNeedToken = readsNeedToken;
        if (readsNeedToken && this.token == null) {
            throw new IllegalArgumentException("MARKET_ETL_API_READS_NEED_TOKEN is true but MARKET_ETL_API_TOKEN is"
                    + " empty: set the token, or let reads be open");
        }
    }

    public boolean readsNeedToken() {
        return readsNeedToken;
    }

    public boolean writesEnabled() {
        return token != null;
    }

    /** A write: 403 without a configured token, 401 without the right one. */
    public void requireForWrite(Exchange exchange) {
        if (token == null) {
            throw new ApiError(403, "the write API is disabled: set MARKET_ETL_API_TOKEN to enable it");
        }
        check(exchange);
    }

    /** A read: open, unless reads need the token (then 401 without the right one). */
    public void requireForRead(Exchange exchange) {
        if (readsNeedToken) {
            check(exchange);
        }
    }

    private void check(Exchange exchange) {
        String auth = exchange.getIn().getHeader("Authorization", String.class);
        if (auth == null || !auth.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                || !MessageDigest.isEqual(token, auth.substring(PREFIX.length()).strip()
                        .getBytes(StandardCharsets.UTF_8))) {
            exchange.getMessage().setHeader(CHALLENGE_HEADER, "Bearer");
            throw new ApiError(401, "Authorization: Bearer <MARKET_ETL_API_TOKEN> is required");
        }
    }
}
