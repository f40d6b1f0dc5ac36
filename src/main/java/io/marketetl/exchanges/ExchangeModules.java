package io.marketetl.exchanges;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of {@link ExchangeModule}s, by name. Modules are found with {@link ServiceLoader} (one line per exchange
 * in {@code META-INF/services/io.marketetl.exchanges.ExchangeModule}), once, when this class is first used.
 */
public final class ExchangeModules {

    private static final Map<String, ExchangeModule> BY_NAME;

    static {
        Map<String, ExchangeModule> modules = new LinkedHashMap<>();
        for (ExchangeModule m : ServiceLoader.load(ExchangeModule.class, ExchangeModules.class.getClassLoader())) {
            ExchangeModule previous = modules.putIfAbsent(m.name(), m);
            if (previous != null) {
                throw new IllegalStateException("two exchange modules are named " + m.name() + ": "
                        + previous.getClass().getName() + " and " + m.getClass().getName());
            }
        }
        BY_NAME = Collections.unmodifiableMap(modules);
    }

    private ExchangeModules() {
    }

    /** The module of that name (case-insensitive), or null. */
    public static ExchangeModule find(String name) {
        return name == null ? null : BY_NAME.get(name.toLowerCase(Locale.ROOT));
    }

    /** The module of that name; an IllegalArgumentException naming the known ones when there is none. */
    public static ExchangeModule require(String name) {
        ExchangeModule m = find(name);
        if (m == null) {
            throw new IllegalArgumentException("unknown exchange/dialect: " + name + " (known: "
                    + String.join(", ", BY_NAME.keySet()) + ")");
        }
        return m;
    }

    public static Collection<ExchangeModule> all() {
        return BY_NAME.values();
    }
}
