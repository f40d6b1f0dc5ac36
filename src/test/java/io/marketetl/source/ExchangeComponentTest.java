package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.normalise.Normaliser;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.PropertyBindingSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code exchange:} component in Camel routes (Java and YAML DSL), with the normalise step. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExchangeComponentTest {

    private LoopbackExchange server;
    private CamelContext context;

    @BeforeEach
    void setUp() throws Exception {
        server = new LoopbackExchange();
        context = new DefaultCamelContext();
        context.getRegistry().bind("normalise", new Normaliser());
    }

    @AfterEach
    void tearDown() throws Exception {
        context.stop();
        server.close();
    }

    @Test
    void okxRouteDeliversNormalisedMessagesAndStopsCleanly() throws Exception {
        RecordingEvents events = new RecordingEvents();
        context.getRegistry().bind("ev", events);
        String uri = "exchange:okx-main?dialect=okx&channels=trades,tickers&instruments=BTC-USDT&url=" + server.okxUrl()
                + "&staleAfterMs=2000&events=#ev";
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).routeId("okx").process("normalise").to("mock:out");
            }
        });
        context.start();
        MockEndpoint out = context.getEndpoint("mock:out", MockEndpoint.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> out.getReceivedCounter() >= 6);

        Exchange first = out.getReceivedExchanges().get(0);
        @SuppressWarnings("unchecked")
        List<MarketMessage> messages = first.getMessage().getBody(List.class);
        assertThat(messages).hasSize(1);
        MarketMessage m = messages.get(0);
        assertThat(m.sourceId()).isEqualTo("okx-main");
        assertThat(m.exchange()).isEqualTo("okx");
        assertThat(m.instrument()).isEqualTo("BTC-USDT");
        assertThat(m.messageType()).isIn("trade", "ticker");
        long start = first.getMessage().getHeader(Normaliser.START_NANOS_HEADER, Long.class);
        assertThat(start).isGreaterThanOrEqualTo(m.receivedNanos());
        assertThat(first.getMessage().getHeader(ExchangeEndpoint.HEADER_SOURCE_ID)).isEqualTo("okx-main");
        assertThat(first.getMessage().getHeader(ExchangeEndpoint.HEADER_DIALECT)).isEqualTo("okx");
        assertThat(out.getReceivedExchanges()).extracting(e -> ((MarketMessage) e.getMessage().getBody(List.class).get(0)).messageType())
                .contains("trade", "ticker");

        ExchangeEndpoint endpoint = context.getEndpoint(uri, ExchangeEndpoint.class);
        assertThat(endpoint.getFrames()).isGreaterThanOrEqualTo(6);
        assertThat(endpoint.isConnected()).isTrue();
        assertThat(endpoint.getLastMessageTime()).isNotNull();
        assertThat(endpoint.getReconnects()).isZero();
        assertThat(endpoint.getConsumer().getDelivered()).isGreaterThanOrEqualTo(6);
        assertThat(events.log).startsWith("connecting 1", "connected", "subscribed");

        // the counters are also JMX attributes of the endpoint (Hawtio, Jolokia)
        javax.management.MBeanServer jmx = context.getManagementStrategy().getManagementAgent().getMBeanServer();
        javax.management.ObjectName name = jmx.queryNames(
                new javax.management.ObjectName("org.apache.camel:type=endpoints,*"), null).stream()
                .filter(n -> n.toString().contains("okx-main")).findFirst().orElseThrow();
        assertThat((Long) jmx.getAttribute(name, "Frames")).isPositive();
        assertThat((Boolean) jmx.getAttribute(name, "Connected")).isTrue();
        assertThat((String) jmx.getAttribute(name, "LastMessageTimeText")).isNotNull();

        context.getRouteController().stopRoute("okx");
        assertThat(server.current.get()).isZero();
        int handshakes = server.handshakes.get();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> server.handshakes.get() == handshakes);
        assertThat(events.log).contains("disconnected stopped null");
    }

    @Test
    void binanceRouteUnwrapsCombinedStreams() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("exchange:bn-main?dialect=binance&channels=trade&instruments=BTCUSDT,ETH-USDT&url=" + server.binanceBase())
                        .process("normalise").to("mock:bn");
            }
        });
        context.start();
        MockEndpoint bn = context.getEndpoint("mock:bn", MockEndpoint.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> bn.getReceivedCounter() >= 4);
        MarketMessage m = (MarketMessage) bn.getReceivedExchanges().get(0).getMessage().getBody(List.class).get(0);
        assertThat(m.format()).isEqualTo("Binance");
        assertThat(m.data()).startsWith("{\"e\":\"trade\"");
        assertThat(m.instrument()).isIn("BTC-USDT", "ETH-USDT");
        assertThat(server.last().path).isEqualTo("/stream?streams=btcusdt@trade/ethusdt@trade");
    }

    @Test
    void customFeedDeclaredInYamlWithJsonSubscribeMessage() throws Exception {
        Properties props = new Properties();
        props.setProperty("test.custom.url", server.customUrl());
        context.getPropertiesComponent().setInitialProperties(props);
        RecordingEvents events = new RecordingEvents();
        context.getRegistry().bind("customEvents", events);
        PluginHelper.getRoutesLoader(context).loadRoutes(
                PluginHelper.getResourceLoader(context).resolveResource("classpath:routes/custom-feed.camel.yaml"));
        context.start();
        MockEndpoint custom = context.getEndpoint("mock:custom", MockEndpoint.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> custom.getReceivedCounter() >= 6);

        assertThat(server.last().received.get(0))
                .isEqualTo("{\"op\":\"subscribe\",\"symbols\":[\"BTCUSDT\",\"ETHUSDT\"],\"options\":{\"snapshot\":false}}");
        MarketMessage m = (MarketMessage) custom.getReceivedExchanges().get(0).getMessage().getBody(List.class).get(0);
        assertThat(m.exchange()).isEqualTo("kraken-like");
        assertThat(m.format()).isEqualTo("custom");
        assertThat(m.messageType()).isEqualTo("trade");
        assertThat(m.instrument()).isIn("BTC-USDT", "ETH-USDT");
        assertThat(m.price()).isEqualByComparingTo("100.5");
        assertThat(m.tradeId()).isNotNull();
        assertThat(m.eventTime()).isNotNull();
        // the subscribe ack and pongs are control frames: never in the route
        await().atMost(Duration.ofSeconds(3)).until(() -> server.last().received.contains("{\"op\":\"ping\"}"));
        assertThat(custom.getReceivedExchanges()).noneMatch(e -> e.getMessage().getBody(List.class).toString().contains("pong"));

        // a malformed frame is routed aside with its reason, not dropped
        server.sendToAll("{\"type\":\"trade\",\"sym\":\"BTCUSDT\"}");
        MockEndpoint malformed = context.getEndpoint("mock:malformed", MockEndpoint.class);
        await().atMost(Duration.ofSeconds(3)).until(() -> malformed.getReceivedCounter() == 1);
        Exchange bad = malformed.getReceivedExchanges().get(0);
        MalformedFrameException e = bad.getProperty(Exchange.EXCEPTION_CAUGHT, MalformedFrameException.class);
        assertThat(e.reason()).isEqualTo("missing_field:/price");
        assertThat(e.frameText()).isEqualTo("{\"type\":\"trade\",\"sym\":\"BTCUSDT\"}");
        assertThat(events.log).contains("subscribed");
    }

    @Test
    void sourcesOfOneComponentSpaceTheirConnectionsToTheSameHost() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (int i = 0; i < 4; i++) {
                    from("exchange:okx-" + i + "?dialect=okx&instruments=BTC-USDT&hostConnectIntervalMs=300&url="
                            + server.okxUrl()).to("mock:gate");
                }
            }
        });
        context.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.accepted.get() == 4);
        List<Long> t = List.copyOf(server.handshakeNanos);
        // the gate spaces the attempts' starts by 300 ms; the server sees each handshake's end, which comes a
        // variable time after its start (tens of ms on a loaded 2-core machine: 232 ms was seen). Without the gate
        // the four handshakes arrive within a few ms of each other.
        for (int i = 1; i < t.size(); i++) {
            assertThat((t.get(i) - t.get(i - 1)) / 1_000_000).as("gap %d", i).isGreaterThanOrEqualTo(150);
        }
        assertThat((t.get(t.size() - 1) - t.get(0)) / 1_000_000).as("span").isGreaterThanOrEqualTo(3 * 300 - 150);
        assertThat(server.maxConcurrent.get()).isEqualTo(4); // one socket per source
    }

    @Test
    void aSourceIdRunsOnceEvenWhenTwoRoutesNameIt() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("exchange:dup?dialect=okx&instruments=BTC-USDT&url=" + server.okxUrl()).routeId("first").to("mock:a");
                from("exchange:dup?dialect=okx&instruments=BTC-USDT&staleAfterMs=5000&url=" + server.okxUrl())
                        .routeId("second").autoStartup(false).to("mock:b");
            }
        });
        context.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.accepted.get() == 1);
        assertThatThrownBy(() -> context.getRouteController().startRoute("second"))
                .hasStackTraceContaining("exchange source 'dup' is already running (route first)");
        context.getRouteController().stopRoute("first");
        context.getRouteController().startRoute("second"); // free again once the first stopped
        await().atMost(Duration.ofSeconds(5)).until(() -> server.accepted.get() == 2 && server.current.get() == 1);
        assertThat(server.maxConcurrent.get()).isEqualTo(1);
    }

    @Test
    void badEndpointOptionsFailAtStartup() {
        assertThatThrownBy(() -> context.getEndpoint("exchange:x?dialect=okx&instruments=BTC-USDT&bogusOption=1"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("bogusOption");
        assertThatThrownBy(() -> context.getEndpoint("exchange:x?instruments=BTC-USDT"))
                .hasStackTraceContaining("dialect must be one of okx, binance, custom");
        assertThatThrownBy(() -> context.getEndpoint("exchange:x?dialect=okx&queueHighWater=10&queueLowWater=20"))
                .hasStackTraceContaining("queueLowWater");
        assertThatThrownBy(() -> context.getEndpoint("exchange:x?dialect=kraken"))
                .hasStackTraceContaining("dialect must be one of");
        assertThatThrownBy(() -> context.getEndpoint("exchange:x?dialect=okx&instruments=BTC-USDT&url=http2://nope").start())
                .hasStackTraceContaining("scheme must be ws or wss");
        assertThatThrownBy(() -> context.getEndpoint("exchange:x?dialect=okx").start())
                .hasStackTraceContaining("needs channels and instruments");
    }

    @Test
    void endpointOptionsAndComponentDefaults() throws Exception {
        ExchangeComponent component = context.getComponent("exchange", ExchangeComponent.class);
        PropertyBindingSupport.build().bind(context, component, "defaults.staleAfterMs", "1234");
        PropertyBindingSupport.build().bind(context, component, "defaults.backoff-max-ms", "9000");
        ExchangeEndpoint e = context.getEndpoint("exchange:okx-x?dialect=okx&instruments=BTC-USDT,ETH-USDT"
                + "&channels=trades&pingIntervalMs=15000&pongTimeoutMs=5000&staleFactor=3.5&backoffInitialMs=200"
                + "&healthyResetMs=30000&maxConnectionAgeMs=0&subscribePacingMs=500&subscribeBatchSize=20"
                + "&connectTimeoutMs=3000&maxFrameSize=65536&maxMessageSize=131072&queueHighWater=100&queueLowWater=10"
                + "&minConnectIntervalMs=400", ExchangeEndpoint.class);
        SourceConfig c = e.getConfig();
        assertThat(c.getSourceId()).isEqualTo("okx-x");
        assertThat(c.getStaleAfterMs()).isEqualTo(1234);
        assertThat(c.getBackoffMaxMs()).isEqualTo(9000);
        assertThat(c.getPingIntervalMs()).isEqualTo(15000);
        assertThat(c.getPongTimeoutMs()).isEqualTo(5000);
        assertThat(c.getStaleFactor()).isEqualTo(3.5);
        assertThat(c.getBackoffInitialMs()).isEqualTo(200);
        assertThat(c.getHealthyResetMs()).isEqualTo(30000);
        assertThat(c.getMaxConnectionAgeMs()).isZero();
        assertThat(c.getSubscribePacingMs()).isEqualTo(500);
        assertThat(c.getSubscribeBatchSize()).isEqualTo(20);
        assertThat(c.getConnectTimeoutMs()).isEqualTo(3000);
        assertThat(c.getMaxFrameSize()).isEqualTo(65536);
        assertThat(c.getQueueHighWater()).isEqualTo(100);
        assertThat(c.getMinConnectIntervalMs()).isEqualTo(400);
        assertThat(e.getDialect().connectUrl()).isEqualTo("wss://ws.okx.com/ws/v5/public");
        // defaults are per component, untouched by endpoint options
        assertThat(component.getDefaults().getPingIntervalMs()).isEqualTo(20000);
        assertThat(new SourceConfig().getMaxConnectionAgeMs()).isEqualTo(Duration.ofHours(23).plusMinutes(50).toMillis());
        assertThatThrownBy(() -> e.createProducer()).isInstanceOf(UnsupportedOperationException.class);
    }
}
