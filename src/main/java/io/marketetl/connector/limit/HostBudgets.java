package io.marketetl.connector.limit;

import io.marketetl.connector.limit.HostRule.Kind;
import io.marketetl.connector.limit.HostRule.Limit;
import io.marketetl.connector.limit.HostRule.Scope;
import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.exchanges.ExchangeModules;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry of {@link HostBudget}s: one per host, or per group of hosts of one rule, created on first use and then
 * shared by every connector calling there. Look a connector's budget up once (at start) and keep it.
 * <p>
 * <b>Which rule a URL gets</b>, first match wins:
 * <ol>
 * <li>a configured rule naming {@code host:port}, then one naming the host;</li>
 * <li>an exchange module's rule naming the host ({@link ExchangeModule#hostRules()}: Binance's
 * {@code api.binance.com} and mirrors, OKX's {@code www.okx.com});</li>
 * <li>when the connector declares its exchange ({@link #forUrl(String, String)}) and the host has no rule (the
 * simulator on {@code 127.0.0.1:8765}, a proxy): a configured {@code @exchange} rule, else the exchange module's
 * first rule. Such a budget is kept per host <em>and</em> exchange, because one test server may play several
 * exchanges;</li>
 * <li>the configured {@code *} rule, one budget per host;</li>
 * <li>no windows at all: only {@code Retry-After}, 429 and 418 feedback limit the host. A guessed number would either
 * throttle a generous API or fail to protect a strict one; configure {@code *=...} to have a safety net.</li>
 * </ol>
 * All hosts of one rule (cases 1 and 2) share one budget whatever the scheme and port, since exchanges limit per IP
 * across their hosts. An exchange name with neither a module rule nor a configured {@code @name} rule falls through
 * to cases 4 and 5.
 * <p>
 * <b>Rule format</b> ({@link #parseRules(String)}), one string fit for the environment variable {@value #ENV}:
 * <pre>
 * rules   = entry *( ";" entry )                 blanks around any part are ignored, empty entries too
 * entry   = hosts "=" limits
 * hosts   = host *( "," host )                   name, name:port, "*" (hosts without a rule), "@exchange"
 * limits  = "none" / limit *( "," limit )
 * limit   = ( "requests" / "weight" ) ":" amount "/" window [ "/" ( "host" / "endpoint" ) ]
 *           [ ",header:" header-name ]           header only after a per-host weight limit
 * window  = 1*DIGIT ( "ms" / "s" / "m" / "h" )
 * </pre>
 * Examples:
 * <pre>
 * MARKET_ETL_HOST_LIMITS="api.binance.com,api1.binance.com=weight:6000/1m,header:X-MBX-USED-WEIGHT-1M"
 * MARKET_ETL_HOST_LIMITS="www.okx.com=requests:20/2s/endpoint;*=requests:10/1s"
 * MARKET_ETL_HOST_LIMITS="@okx=requests:5/2s/endpoint;127.0.0.1:9000=none"
 * MARKET_ETL_HOST_LIMITS="api.example.com=requests:100/1m,requests:5/1s,weight:1000/1m/endpoint"
 * </pre>
 * {@code requests} windows slide (at most N in any window of that length); {@code weight} windows are fixed and
 * aligned to the epoch (Binance counts per clock minute), see {@link HostRule.Kind}. The default scope is
 * {@code host}. A configured entry replaces the module's rule for the hosts it names only.
 * <p>
 * Thread-safe.
 */
public final class HostBudgets {

    /** The environment variable the application reads its configured rules from. */
    public static final String ENV = "MARKET_ETL_HOST_LIMITS";

    private static final Pattern WINDOW = Pattern.compile("(\\d{1,12})(ms|s|m|h)");
    private static final Pattern HEADER = Pattern.compile("(?i:header)\\s*:\\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)");

    private final HostBudget.Settings settings;
    private final Map<String, Source> configuredByHost = new HashMap<>();
    private final Map<String, HostRule> configuredByExchange = new HashMap<>();
    private final HostRule configuredDefault;
    private final Map<String, Source> moduleByHost = new HashMap<>();
    private final Map<String, HostRule> moduleMain = new HashMap<>();
    private final ConcurrentHashMap<String, HostBudget> byLookup = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, HostBudget> byId = new ConcurrentHashMap<>();

    /** A rule and the id of the budget all its hosts share. */
    private record Source(String id, HostRule rule) {
    }

    /** Configured rules over the modules of {@link ExchangeModules}, default settings. */
    public HostBudgets(List<HostRule> configured) {
        this(configured, ExchangeModules.all(), HostBudget.Settings.DEFAULTS);
    }

    /**
     * @param configured rules from configuration; they win over the modules'
     * @param modules    exchange modules supplying their hosts' rules (a host claimed by two modules goes to the first)
     * @throws IllegalArgumentException when two configured rules name the same host, or a module rule names
     *                                  {@code *} or {@code @...}
     */
    public HostBudgets(List<HostRule> configured, Collection<ExchangeModule> modules, HostBudget.Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        HostRule star = null;
        for (int i = 0; i < configured.size(); i++) {
            HostRule r = configured.get(i);
            Source s = new Source("config#" + i + ":" + r.hosts().get(0), r);
            for (String h : r.hosts()) {
                boolean dup;
                if (h.equals("*")) {
                    dup = star != null;
                    star = r;
                } else if (h.startsWith("@")) {
                    dup = configuredByExchange.putIfAbsent(h.substring(1), r) != null;
                } else {
                    dup = configuredByHost.putIfAbsent(h, s) != null;
                }
                if (dup) {
                    throw new IllegalArgumentException("host limits: '" + h + "' has two rules");
                }
            }
        }
        this.configuredDefault = star;
        for (ExchangeModule m : modules) {
            List<HostRule> rules = m.hostRules();
            for (int i = 0; i < rules.size(); i++) {
                HostRule r = rules.get(i);
                Source s = new Source(m.name() + "#" + i + ":" + r.hosts().get(0), r);
                for (String h : r.hosts()) {
                    if (h.equals("*") || h.startsWith("@")) {
                        throw new IllegalArgumentException("exchange module " + m.name() + ": a module rule names"
                                + " hosts, not '" + h + "'");
                    }
                    moduleByHost.putIfAbsent(h, s);
                }
                if (i == 0) {
                    moduleMain.put(m.name().toLowerCase(Locale.ROOT), r);
                }
            }
        }
    }

    /** Parses {@code rules} (see the class comment) over the modules of {@link ExchangeModules}. */
    public static HostBudgets fromConfig(String rules) {
        return new HostBudgets(parseRules(rules));
    }

    /** {@link #forUrl(String, String)} for a connector that declares no exchange. */
    public HostBudget forUrl(String url) {
        return forUrl(url, null);
    }

    /**
     * The budget of the URL's host, created on first use.
     *
     * @param exchangeName the connector's {@code exchange_name} (any case), or null; gives hosts without a rule the
     *                     exchange's rule
     * @throws IllegalArgumentException when the URL has no host (see {@link HostBudget#key(String)})
     */
    public HostBudget forUrl(String url, String exchangeName) {
        String key = HostBudget.key(url);
        String exchange = exchangeName == null || exchangeName.isBlank() ? null
                : exchangeName.trim().toLowerCase(Locale.ROOT);
        String lookup = exchange == null ? key : key + "#" + exchange;
        HostBudget b = byLookup.get(lookup);
        return b != null ? b : byLookup.computeIfAbsent(lookup, k -> resolve(key, exchange));
    }

    /** Every budget created so far, by name. */
    public List<HostBudget> budgets() {
        List<HostBudget> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(HostBudget::name));
        return all;
    }

    /** Snapshots of {@link #budgets()}. */
    public List<HostBudget.Snapshot> snapshots(long nowMillis) {
        return budgets().stream().map(b -> b.snapshot(nowMillis)).toList();
    }

    private HostBudget resolve(String key, String exchange) {
        // key = scheme://host:port
        String hostPort = key.substring(key.indexOf("://") + 3);
        String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
        Source s = configuredByHost.get(hostPort);
        if (s == null) {
            s = configuredByHost.get(host);
        }
        if (s == null) {
            s = moduleByHost.get(hostPort);
        }
        if (s == null) {
            s = moduleByHost.get(host);
        }
        if (s != null) {
            HostRule rule = s.rule();
            return byId.computeIfAbsent(s.id(), id -> new HostBudget(rule.hosts().get(0), rule.limits(), settings));
        }
        if (exchange != null) {
            HostRule rule = configuredByExchange.get(exchange);
            if (rule == null) {
                rule = moduleMain.get(exchange);
            }
            if (rule != null) {
                List<Limit> limits = rule.limits();
                return byId.computeIfAbsent(key + "#" + exchange, id -> new HostBudget(id, limits, settings));
            }
        }
        List<Limit> limits = configuredDefault == null ? List.of() : configuredDefault.limits();
        return byId.computeIfAbsent(key, id -> new HostBudget(id, limits, settings));
    }

    /**
     * Parses configured rules (format in the class comment). Null or blank gives no rules.
     *
     * @throws IllegalArgumentException naming the entry (1-based) and the part that is wrong
     */
    public static List<HostRule> parseRules(String text) {
        List<HostRule> rules = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return rules;
        }
        Map<String, Integer> seen = new HashMap<>();
        String[] entries = text.split(";", -1);
        int n = 0;
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            n++;
            String where = "host limits entry " + n + " '" + entry + "': ";
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(where + "expected hosts=limits, like www.okx.com=requests:20/2s/endpoint");
            }
            List<String> hosts = new ArrayList<>();
            for (String h : entry.substring(0, eq).split(",", -1)) {
                String host = h.trim().toLowerCase(Locale.ROOT);
                if (host.isEmpty()) {
                    throw new IllegalArgumentException(where + "empty host name before '='");
                }
                if (!host.equals("*") && !host.matches("@?[a-z0-9._\\-\\[\\]:]+")) {
                    throw new IllegalArgumentException(where + "bad host '" + h.trim()
                            + "' (a name, name:port, * or @exchange; no scheme or path)");
                }
                Integer before = seen.putIfAbsent(host, n);
                if (before != null) {
                    throw new IllegalArgumentException(where + "host '" + host + "' already has a rule in entry " + before);
                }
                hosts.add(host);
            }
            rules.add(new HostRule(hosts, parseLimits(where, entry.substring(eq + 1))));
        }
        return rules;
    }

    private static List<Limit> parseLimits(String where, String text) {
        List<Limit> limits = new ArrayList<>();
        String[] items = text.split(",", -1);
        if (items.length == 1 && items[0].trim().equalsIgnoreCase("none")) {
            return limits;
        }
        for (String raw : items) {
            String item = raw.trim();
            if (item.isEmpty()) {
                throw new IllegalArgumentException(where + (text.isBlank()
                        ? "no limits after '=' (write none for Retry-After feedback only)" : "empty limit between commas"));
            }
            if (item.equalsIgnoreCase("none")) {
                throw new IllegalArgumentException(where + "'none' cannot be combined with limits");
            }
            Matcher h = HEADER.matcher(item);
            if (h.matches()) {
                Limit last = limits.isEmpty() ? null : limits.get(limits.size() - 1);
                if (last == null || last.kind() != Kind.WEIGHT || last.scope() != Scope.HOST) {
                    throw new IllegalArgumentException(where + "'" + item
                            + "' must follow a per-host weight limit (weight:6000/1m,header:X-MBX-USED-WEIGHT-1M)");
                }
                if (last.usedHeader() != null) {
                    throw new IllegalArgumentException(where + "a second header for '" + last + "'");
                }
                limits.set(limits.size() - 1, Limit.weight(last.amount(), last.windowMillis(), h.group(1)));
                continue;
            }
            limits.add(parseLimit(where, item));
        }
        return limits;
    }

    private static Limit parseLimit(String where, String item) {
        int colon = item.indexOf(':');
        String kindText = colon < 0 ? item : item.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        Kind kind = switch (kindText) {
            case "requests" -> Kind.REQUESTS;
            case "weight" -> Kind.WEIGHT;
            default -> throw new IllegalArgumentException(where + "bad limit '" + item
                    + "' (requests:N/WINDOW[/host|/endpoint], weight:N/WINDOW[/host|/endpoint] or header:NAME)");
        };
        String[] parts = colon < 0 ? new String[0] : item.substring(colon + 1).split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException(where + "bad limit '" + item + "' (" + kindText
                    + ":N/WINDOW[/host|/endpoint], like " + kindText + ":20/2s)");
        }
        String amountText = parts[0].trim();
        if (!amountText.matches("\\d{1,12}") || Long.parseLong(amountText) == 0) {
            throw new IllegalArgumentException(where + "bad amount '" + amountText + "' in '" + item
                    + "' (a whole number > 0)");
        }
        long amount = Long.parseLong(amountText);
        String windowText = parts[1].trim().toLowerCase(Locale.ROOT);
        Matcher w = WINDOW.matcher(windowText);
        if (!w.matches() || Long.parseLong(w.group(1)) == 0) {
            throw new IllegalArgumentException(where + "bad window '" + parts[1].trim() + "' in '" + item
                    + "' (a whole number > 0 and ms, s, m or h, like 500ms, 2s, 1m)");
        }
        long window = Long.parseLong(w.group(1)) * switch (w.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            default -> 3_600_000L;
        };
        Scope scope = Scope.HOST;
        if (parts.length == 3) {
            scope = switch (parts[2].trim().toLowerCase(Locale.ROOT)) {
                case "host" -> Scope.HOST;
                case "endpoint" -> Scope.ENDPOINT;
                default -> throw new IllegalArgumentException(where + "bad scope '" + parts[2].trim() + "' in '"
                        + item + "' (host or endpoint)");
            };
        }
        try {
            return new Limit(kind, amount, window, scope, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "'" + item + "': " + e.getMessage());
        }
    }
}
