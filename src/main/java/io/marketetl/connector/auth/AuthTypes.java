package io.marketetl.connector.auth;

import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.exchanges.ExchangeModules;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The registry of {@link AuthType}s by name: the generic ones ({@code None}, {@code ApiKey}, {@code Bearer},
 * {@code Basic}), then those of every exchange module ({@link ExchangeModule#authTypes()}, e.g. {@code BinanceHmac},
 * {@code OkxHmac}), collected once, when this class is first used.
 *
 * <p>Lookup is case-insensitive ({@code bearer} finds {@code Bearer}), so hand-written rows and API requests need not
 * match the case; {@link AuthType#name()} is the canonical spelling the application stores. Two types whose names
 * differ only in case are refused.
 */
public final class AuthTypes {

    private static final Map<String, AuthType> BY_NAME;

    static {
        List<AuthType> types = new ArrayList<>(List.of(new NoneAuth(), new ApiKeyAuth(), new BearerAuth(),
                new BasicAuth()));
        for (ExchangeModule m : ExchangeModules.all()) {
            types.addAll(m.authTypes());
        }
        Map<String, AuthType> byName = new LinkedHashMap<>();
        for (AuthType t : types) {
            AuthType previous = byName.putIfAbsent(t.name().toLowerCase(Locale.ROOT), t);
            if (previous != null) {
                throw new IllegalStateException("two auth types are named " + t.name() + ": "
                        + previous.getClass().getName() + " and " + t.getClass().getName());
            }
        }
        BY_NAME = Collections.unmodifiableMap(byName);
    }

    private AuthTypes() {
    }

    /** The type of that name, in any case; null when there is none (or the name is null). */
    public static AuthType find(String name) {
        return name == null ? null : BY_NAME.get(name.toLowerCase(Locale.ROOT));
    }

    /** The type of that name; an IllegalArgumentException naming the known ones when there is none. */
    public static AuthType require(String name) {
        AuthType t = find(name);
        if (t == null) {
            throw new IllegalArgumentException("unknown auth_type: " + name + " (known: " + String.join(", ", names())
                    + ")");
        }
        return t;
    }

    /** The canonical names, generic types first. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (AuthType t : BY_NAME.values()) {
            names.add(t.name());
        }
        return names;
    }

    public static Collection<AuthType> all() {
        return BY_NAME.values();
    }
}
