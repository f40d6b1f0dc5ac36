package io.marketetl.connector;

import org.apache.camel.CamelContext;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;

/**
 * Keeps the secrets of route-file connectors out of Camel's route model. A route file gives a credential as a
 * placeholder, {@code credentials.token: "{{env:MY_TOKEN}}"}; Camel keeps the {@code from} URI with that placeholder
 * in its model, and every route dump that resolves placeholders (JMX {@code dumpRoutesAsXml(true)}, Hawtio's route
 * views, {@code camel.main.dump-routes}, the YAML dumps) would print the secret itself. So, as each route is added to
 * the model, the braces of placeholders in the {@code credentials.*}, {@code header.*} and {@code query.*} values of
 * an {@code api:} URI are percent-encoded ({@code %7B%7Benv:MY_TOKEN%7D%7D}): no dump can resolve them any more, an
 * operator still sees which variable is used, and {@link ApiComponent} gets the placeholder text back (Camel decodes
 * a plain value; {@link #decode} a {@code RAW(...)} one) and resolves it itself. So in these values a literal
 * {@code %7B%7B} reads as {@code {{} even inside {@code RAW(...)}, as Camel already reads it outside. Installed once
 * per context, before routes load; routes already in the model are rewritten at installation, reloaded ones when
 * they are added again.
 */
public final class PlaceholderGuard implements ModelLifecycleStrategy {

    /** Option prefixes whose values may hold secrets (the component's credential, header and query groups). */
    static final String[] GUARDED = { "credentials.", "header.", "query." };
    private static final String OPEN = "%7B%7B";
    private static final String CLOSE = "%7D%7D";

    private PlaceholderGuard() {
    }

    /** Rewrites the routes already in the model and every route added later. */
    public static void install(CamelContext context) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        if (model == null) {
            throw new IllegalStateException("no route model in this Camel context");
        }
        PlaceholderGuard guard = new PlaceholderGuard();
        model.getRouteDefinitions().forEach(guard::onAddRouteDefinition);
        model.addModelLifecycleStrategy(guard);
    }

    @Override
    public void onAddRouteDefinition(RouteDefinition route) {
        FromDefinition from = route.getInput();
        if (from != null && from.getUri() != null) {
            String guarded = guard(from.getUri());
            if (!guarded.equals(from.getUri())) {
                from.setUri(guarded);
            }
        }
    }

    @Override
    public void onRemoveRouteDefinition(RouteDefinition route) {
    }

    @Override
    public void onAddRouteTemplateDefinition(RouteTemplateDefinition template) {
    }

    @Override
    public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition template) {
    }

    /** The URI with the guarded options' placeholders encoded; any other URI unchanged. */
    static String guard(String uri) {
        int q = uri.indexOf('?');
        if (!uri.regionMatches(true, 0, "api:", 0, 4) || q < 0 || !uri.contains("{{")) {
            return uri;
        }
        StringBuilder out = new StringBuilder(uri.length() + 16).append(uri, 0, q + 1);
        int i = q + 1;
        while (i <= uri.length()) {
            int eq = uri.indexOf('=', i);
            int amp = uri.indexOf('&', i);
            if (eq < 0 || (amp >= 0 && amp < eq)) {
                // a parameter without a value
                int end = amp < 0 ? uri.length() : amp;
                out.append(uri, i, end);
                i = end;
            } else {
                String key = uri.substring(i, eq);
                int valueStart = eq + 1;
                int end = valueEnd(uri, valueStart);
                String value = uri.substring(valueStart, end);
                out.append(key).append('=').append(guarded(key) ? guardValue(value) : value);
                i = end;
            }
            if (i >= uri.length()) {
                break;
            }
            out.append('&');
            i++;
        }
        return out.toString();
    }

    /** Where a value ends: the next {@code &}, or for {@code RAW(...)} the closing bracket before {@code &} or the end. */
    private static int valueEnd(String uri, int start) {
        char close = raw(uri, start);
        if (close != 0) {
            for (int j = start + 4; j < uri.length(); j++) {
                if (uri.charAt(j) == close && (j + 1 == uri.length() || uri.charAt(j + 1) == '&')) {
                    return j + 1;
                }
            }
        }
        int amp = uri.indexOf('&', start);
        return amp < 0 ? uri.length() : amp;
    }

    /** The closing bracket of a {@code RAW(} or {@code RAW{} value starting at {@code at}, else 0. */
    private static char raw(String s, int at) {
        if (!s.startsWith("RAW", at) || s.length() < at + 5) {
            return 0;
        }
        return switch (s.charAt(at + 3)) {
            case '(' -> ')';
            case '{' -> '}';
            default -> 0;
        };
    }

    private static boolean guarded(String key) {
        for (String p : GUARDED) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static String guardValue(String value) {
        if (raw(value, 0) != 0 && value.length() >= 5) {
            String inner = value.substring(4, value.length() - 1);
            return inner.contains("{{") ? value.substring(0, 4) + encodeBraces(inner) + value.charAt(value.length() - 1)
                    : value;
        }
        return value.contains("{{") ? encodeBraces(value) : value;
    }

    /** {@code {{} and {@code }}} percent-encoded: no placeholder any more, and {@link #decode} undoes it. */
    private static String encodeBraces(String s) {
        return s.replace("{{", OPEN).replace("}}", CLOSE);
    }

    /**
     * A guarded value as the component receives it, back to its placeholder text. Camel decodes a plain value's
     * {@code %7B} itself; a {@code RAW(...)} value comes as written, hence this.
     */
    static String decode(String value) {
        return value.contains(OPEN) ? value.replace(OPEN, "{{").replace(CLOSE, "}}") : value;
    }
}
