package io.marketetl.connector.auth;

import io.marketetl.source.RedactedUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One outgoing HTTP API request while it is being built and signed: method, base URL, ordered query parameters,
 * ordered headers and an optional body. An {@link AuthType} adds its headers and parameters to it just before the
 * call; what is sent must then be exactly {@link #url()}, {@link #headers()} and {@link #body()} (signatures cover
 * the encoded query as {@link #queryString()} writes it). Mutable and not thread-safe: one per call.
 *
 * <p>Query encoding (RFC 3986): every character except the unreserved ones ({@code A-Z a-z 0-9 - . _ ~}) is
 * percent-encoded from its UTF-8 bytes with upper-case hex, names and values alike; a space is {@code %20} (never
 * {@code +}). A parameter whose value is null is written as its name alone.
 *
 * <p>Header names are case-insensitive: setting {@code content-type} replaces {@code Content-Type} (in its place,
 * with the new spelling). Names must be HTTP tokens and values may not contain control characters (CR/LF would let
 * a value inject headers).
 *
 * <p>{@link #toString()} shows the method, base URL and parameter and header <em>names</em>, never their values nor
 * the body (they hold credentials and signatures once an auth type has been applied).
 */
public final class ApiRequest {

    private record Header(String name, String value) {
    }

    private final String method;
    private final String baseUrl;
    private final String path;
    private final LinkedHashMap<String, String> query = new LinkedHashMap<>();
    /** Lower-case name to the header as given. */
    private final LinkedHashMap<String, Header> headers = new LinkedHashMap<>();
    private String body;

    /**
     * @param method HTTP method, any case (kept upper-case)
     * @param baseUrl {@code http(s)://host[:port][/path]}: no query, no fragment, no user info; the path is used as
     *        given (already percent-encoded), an empty path is {@code /}
     */
    public ApiRequest(String method, String baseUrl) {
        if (method == null || !method.matches("[A-Za-z]+")) {
            throw new IllegalArgumentException("HTTP method must be letters, e.g. GET, got " + method);
        }
        this.method = method.toUpperCase(Locale.ROOT);
        if (baseUrl == null) {
            throw new IllegalArgumentException("base URL is missing");
        }
        URI uri;
        try {
            uri = new URI(baseUrl);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("base URL is not a valid URI: " + RedactedUrl.of(baseUrl));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("base URL must be http:// or https://: " + RedactedUrl.of(baseUrl));
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("base URL must not hold user info (credentials go in credentials): "
                    + RedactedUrl.of(baseUrl));
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("base URL has no host: " + RedactedUrl.of(baseUrl));
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || baseUrl.contains("?")
                || baseUrl.contains("#")) {
            throw new IllegalArgumentException("base URL must not have a query or fragment (parameters go in the query"
                    + " parameters): " + RedactedUrl.of(baseUrl));
        }
        String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        this.path = rawPath;
        this.baseUrl = scheme + "://" + uri.getRawAuthority() + rawPath;
    }

    /** Upper case, e.g. {@code GET}. */
    public String method() {
        return method;
    }

    /** {@code scheme://host[:port]/path}, without query. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The URL path as given (percent-encoded), at least {@code /}. */
    public String path() {
        return path;
    }

    /** The query parameters, in order; the live map: changes to it change the request. */
    public LinkedHashMap<String, String> queryParams() {
        return query;
    }

    /** Sets a query parameter: a new name goes last, an existing one keeps its place. */
    public ApiRequest queryParam(String name, String value) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("query parameter name is empty");
        }
        query.put(name, value);
        return this;
    }

    /** The value of a query parameter (exact name), or null. */
    public String queryParam(String name) {
        return query.get(name);
    }

    /** Sets a header, replacing any header of that name in any case (in its place). */
    public ApiRequest header(String name, String value) {
        checkHeaderName(name);
        if (value == null) {
            throw new IllegalArgumentException("header " + name + " has no value");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                throw new IllegalArgumentException("header " + name + ": its value contains a control character");
            }
        }
        headers.put(name.toLowerCase(Locale.ROOT), new Header(name, value));
        return this;
    }

    /** The value of a header (name in any case), or null. */
    public String header(String name) {
        Header h = name == null ? null : headers.get(name.toLowerCase(Locale.ROOT));
        return h == null ? null : h.value();
    }

    /** Removes a header (name in any case); nothing when there is none. */
    public ApiRequest removeHeader(String name) {
        if (name != null) {
            headers.remove(name.toLowerCase(Locale.ROOT));
        }
        return this;
    }

    /** The headers in order, names as given: a copy. */
    public Map<String, String> headers() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Header h : headers.values()) {
            out.put(h.name(), h.value());
        }
        return Collections.unmodifiableMap(out);
    }

    /** The body, or null for none. */
    public String body() {
        return body;
    }

    public ApiRequest body(String body) {
        this.body = body;
        return this;
    }

    /** The query parameters encoded (see the class comment) and joined with {@code &}, in order; "" for none. */
    public String queryString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(encode(e.getKey()));
            if (e.getValue() != null) {
                sb.append('=').append(encode(e.getValue()));
            }
        }
        return sb.toString();
    }

    /** The path, then {@code ?} and the query string when there are parameters: e.g. {@code /api/v5/x?ccy=BTC}. */
    public String pathWithQuery() {
        String qs = queryString();
        return qs.isEmpty() ? path : path + "?" + qs;
    }

    /** The whole URL to call: base URL, then {@code ?} and the query string when there are parameters. */
    public String url() {
        String qs = queryString();
        return qs.isEmpty() ? baseUrl : baseUrl + "?" + qs;
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters, from UTF-8, upper-case hex. */
    public static String encode(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return sb.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** RFC 9110 token characters. */
    static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static void checkHeaderName(String name) {
        if (!isToken(name)) {
            throw new IllegalArgumentException("not a valid HTTP header name: " + (name == null ? "null"
                    : name.length() > 64 ? name.substring(0, 64) + "..." : name));
        }
    }

    @Override
    public String toString() {
        return "ApiRequest[" + method + " " + baseUrl + ", query " + query.keySet() + ", headers "
                + headers().keySet() + ", body " + (body == null ? "none" : body.length() + " chars") + "]";
    }
}
