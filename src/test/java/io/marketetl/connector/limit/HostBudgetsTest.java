package io.marketetl.connector.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.connector.limit.HostBudget.Reason;
import io.marketetl.connector.limit.HostRule.Kind;
import io.marketetl.connector.limit.HostRule.Limit;
import io.marketetl.connector.limit.HostRule.Scope;
import io.marketetl.exchanges.ExchangeDialect;
import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.source.SourceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostBudgetsTest {

    static final long T0 = HostBudgetTest.T0;

    @Test
    void parsesTheDocumentedExamples() {
        List<HostRule> rules = HostBudgets.parseRules(
                "api.binance.com=weight:6000/60s,header:X-MBX-USED-WEIGHT-1M;www.okx.com=requests:20/2s/endpoint");
        assertThat(rules).containsExactly(
                new HostRule("api.binance.com", Limit.weight(6000, 60_000, "X-MBX-USED-WEIGHT-1M")),
                new HostRule("www.okx.com", Limit.requests(20, 2_000, Scope.ENDPOINT)));
        assertThat(rules.get(0).toString()).isEqualTo("api.binance.com=weight:6000/1m,header:X-MBX-USED-WEIGHT-1M");
        assertThat(rules.get(1).toString()).isEqualTo("www.okx.com=requests:20/2s/endpoint");
    }

    @Test
    void parsesGroupsSeveralLimitsDefaultsAndNone() {
        List<HostRule> rules = HostBudgets.parseRules(" API.example.com , api2.example.com:8443 = requests:100/1m ,"
                + " requests:5/1s/host, weight:1000/1h/endpoint ; *=requests:10/1s; @okx=requests:5/500ms/endpoint;"
                + " 127.0.0.1:9000=NONE ;");
        assertThat(rules).hasSize(4);
        assertThat(rules.get(0).hosts()).containsExactly("api.example.com", "api2.example.com:8443");
        assertThat(rules.get(0).limits()).containsExactly(Limit.requests(100, 60_000, Scope.HOST),
                Limit.requests(5, 1_000, Scope.HOST), new Limit(Kind.WEIGHT, 1000, 3_600_000, Scope.ENDPOINT, null));
        assertThat(rules.get(1).hosts()).containsExactly("*");
        assertThat(rules.get(2).limits()).containsExactly(Limit.requests(5, 500, Scope.ENDPOINT));
        assertThat(rules.get(3).limits()).isEmpty();
        assertThat(rules.get(3).toString()).isEqualTo("127.0.0.1:9000=none");
        // round trip
        String text = String.join(";", rules.stream().map(HostRule::toString).toList());
        assertThat(HostBudgets.parseRules(text)).isEqualTo(rules);
        assertThat(HostBudgets.parseRules(null)).isEmpty();
        assertThat(HostBudgets.parseRules("  ")).isEmpty();
    }

    @Test
    void errorsNameTheBadPart() {
        assertError("api.binance.com", "entry 1 'api.binance.com'", "hosts=limits");
        assertError("a.com=requests:20/2s;b.com=requests:20/2x", "entry 2", "bad window '2x'");
        assertError("a.com=requests:0/2s", "bad amount '0'");
        assertError("a.com=requests:many/2s", "bad amount 'many'");
        assertError("a.com=requests:20/2s/ip", "bad scope 'ip'");
        assertError("a.com=requests:20", "bad limit 'requests:20'");
        assertError("a.com=tokens:20/2s", "bad limit 'tokens:20/2s'");
        assertError("a.com=", "no limits after '='");
        assertError("a.com=requests:20/2s,,weight:1/1s", "empty limit");
        assertError("a.com=none,requests:1/1s", "'none' cannot be combined");
        assertError("a.com=header:X-Used", "'header:X-Used' must follow a per-host weight limit");
        assertError("a.com=requests:20/2s,header:X-Used", "must follow a per-host weight limit");
        assertError("a.com=weight:20/2s/endpoint,header:X-Used", "must follow a per-host weight limit");
        assertError("a.com=weight:20/2s,header:X,header:Y", "a second header");
        assertError("https://a.com=requests:1/1s", "bad host 'https://a.com'");
        assertError(",a.com=requests:1/1s", "empty host");
        assertError("a.com=requests:1/1s;A.com=weight:1/1s", "entry 2", "'a.com' already has a rule in entry 1");
        assertError("a.com=requests:200000/1s", "at most 100000");
    }

    private static void assertError(String text, String... fragments) {
        assertThatThrownBy(() -> HostBudgets.parseRules(text)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }

    @Test
    void theRealModulesRulesApplyToTheirHostsAndMirrorsShareOneBudget() {
        HostBudgets budgets = new HostBudgets(List.of());
        HostBudget main = budgets.forUrl("https://api.binance.com/api/v3/ticker/price?symbol=BTCUSDT");
        assertThat(main.limits()).containsExactly(Limit.weight(6000, 60_000, "X-MBX-USED-WEIGHT-1M"));
        assertThat(budgets.forUrl("https://api3.binance.com/api/v3/aggTrades")).isSameAs(main);
        assertThat(budgets.forUrl("https://data-api.binance.vision/api/v3/ticker/price")).isSameAs(main);
        assertThat(budgets.forUrl("https://API.binance.com:443/x", "okx")).isSameAs(main); // the host decides
        HostBudget okx = budgets.forUrl("https://www.okx.com/api/v5/market/ticker?instId=BTC-USDT", "okx");
        assertThat(okx.limits()).containsExactly(Limit.requests(20, 2_000, Scope.ENDPOINT));
        assertThat(okx.name()).isEqualTo("www.okx.com");
        assertThat(budgets.forUrl("https://www.okx.com/api/v5/market/tickers")).isSameAs(okx);
    }

    @Test
    void anUnknownHostGetsTheDeclaredExchangesRulePerExchange() {
        HostBudgets budgets = new HostBudgets(List.of());
        // the simulator plays both exchanges on one port
        HostBudget simOkx = budgets.forUrl("http://127.0.0.1:8765/api/v5/market/ticker?instId=BTC-USDT", "OKX");
        HostBudget simBinance = budgets.forUrl("http://127.0.0.1:8765/api/v3/ticker/price", "binance");
        assertThat(simOkx.limits()).containsExactly(Limit.requests(20, 2_000, Scope.ENDPOINT));
        assertThat(simOkx.name()).isEqualTo("http://127.0.0.1:8765#okx");
        assertThat(simBinance.limits()).containsExactly(Limit.weight(6000, 60_000, "X-MBX-USED-WEIGHT-1M"));
        assertThat(simBinance).isNotSameAs(simOkx);
        assertThat(budgets.forUrl("http://127.0.0.1:8765/api/v5/market/tickers", "okx")).isSameAs(simOkx);
        // without an exchange, or with one that has no rules or no module: the default, no windows
        HostBudget plain = budgets.forUrl("http://127.0.0.1:8765/x");
        assertThat(plain.limits()).isEmpty();
        assertThat(plain.name()).isEqualTo("http://127.0.0.1:8765");
        assertThat(budgets.forUrl("http://127.0.0.1:8765/x", "custom")).isSameAs(plain);
        assertThat(budgets.forUrl("http://127.0.0.1:8765/x", "nosuch")).isSameAs(plain);
        // the exchange's rule is enforced on the simulator host
        for (int i = 0; i < 20; i++) {
            assertThat(simOkx.tryAcquire("/api/v5/market/ticker", 1, T0).granted()).isTrue();
        }
        assertThat(simOkx.tryAcquire("/api/v5/market/ticker", 1, T0).reason()).isEqualTo(Reason.RATE);
        assertThat(budgets.budgets()).extracting(HostBudget::name)
                .containsExactly("http://127.0.0.1:8765", "http://127.0.0.1:8765#binance", "http://127.0.0.1:8765#okx");
    }

    @Test
    void configurationWinsOverModulesHostPortOverHostAndStarIsPerHost() {
        HostBudgets budgets = new HostBudgets(HostBudgets.parseRules(
                "www.okx.com=requests:10/2s/endpoint; 127.0.0.1:9000=requests:1/1s; 127.0.0.1=requests:2/1s;"
                        + " @okx=requests:3/1s; *=requests:4/1s"),
                List.of(new FakeModule("okx", new HostRule("www.okx.com", Limit.requests(20, 2_000, Scope.ENDPOINT)))),
                HostBudget.Settings.DEFAULTS);
        assertThat(budgets.forUrl("https://www.okx.com/x").limits()).containsExactly(Limit.requests(10, 2_000, Scope.ENDPOINT));
        assertThat(budgets.forUrl("http://127.0.0.1:9000/x", "okx").limits()).containsExactly(Limit.requests(1, 1_000, Scope.HOST));
        assertThat(budgets.forUrl("http://127.0.0.1:9001/x", "okx").limits()).containsExactly(Limit.requests(2, 1_000, Scope.HOST));
        assertThat(budgets.forUrl("http://localhost:9001/x", "OKX").limits()).containsExactly(Limit.requests(3, 1_000, Scope.HOST));
        HostBudget a = budgets.forUrl("https://a.example/x");
        HostBudget b = budgets.forUrl("https://b.example/x");
        assertThat(a.limits()).containsExactly(Limit.requests(4, 1_000, Scope.HOST));
        assertThat(b).isNotSameAs(a);
        assertThat(budgets.forUrl("https://a.example:443/y")).isSameAs(a);
        assertThat(budgets.forUrl("http://a.example/y")).isNotSameAs(a); // another port
    }

    @Test
    void configuredHostsTwiceAndBadModuleRulesAreRefused() {
        assertThatThrownBy(() -> new HostBudgets(List.of(new HostRule("*", Limit.requests(1, 1_000, Scope.HOST)),
                new HostRule("*", Limit.requests(2, 1_000, Scope.HOST))), List.of(), HostBudget.Settings.DEFAULTS))
                .hasMessageContaining("'*' has two rules");
        assertThatThrownBy(() -> new HostBudgets(List.of(),
                List.of(new FakeModule("x", new HostRule("@x", Limit.requests(1, 1_000, Scope.HOST)))),
                HostBudget.Settings.DEFAULTS)).hasMessageContaining("module x");
    }

    @Test
    void concurrentFirstUseCreatesOneBudget() throws Exception {
        HostBudgets budgets = new HostBudgets(List.of());
        Set<HostBudget> seen = ConcurrentHashMap.newKeySet();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    seen.add(budgets.forUrl("https://api" + (1 + (i + id) % 4) + ".binance.com/api/v3/x"));
                    seen.add(budgets.forUrl("http://127.0.0.1:" + (9000 + i % 3) + "/x", "okx"));
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        assertThat(seen).hasSize(4);
        assertThat(budgets.snapshots(T0)).hasSize(4);
    }

    @Test
    void badUrls() {
        HostBudgets budgets = new HostBudgets(List.of());
        assertThatThrownBy(() -> budgets.forUrl("not a url")).isInstanceOf(IllegalArgumentException.class);
    }

    record FakeModule(String name, HostRule rule) implements ExchangeModule {
        @Override
        public ExchangeDialect dialect(SourceConfig config) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<HostRule> hostRules() {
            return List.of(rule);
        }
    }
}
