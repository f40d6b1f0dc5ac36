package io.marketetl.source;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * Every option of an {@code exchange:<sourceId>} endpoint. The component holds one instance as defaults
 * ({@code camel.component.exchange.defaults.<option>=...}); each endpoint starts from a copy and applies its URI
 * parameters. Times are milliseconds.
 *
 * <h2>Feed</h2>
 * <ul>
 * <li>{@code dialect} (required): {@code okx}, {@code binance} or {@code custom}.</li>
 * <li>{@code channels} (default {@code trades}): comma list. Generic names are mapped per dialect:
 * {@code trades|trade}, {@code tickers|ticker}, {@code book_ticker|bbo|bookTicker|bbo-tbt}, Binance
 * {@code aggTrade}, {@code miniTicker}; other names are passed through unchanged.</li>
 * <li>{@code instruments}: comma list in any form ({@code BTC-USDT}, {@code BTCUSDT}, {@code btc_usdt}).</li>
 * <li>{@code url}: WebSocket URL; empty = the dialect's public endpoint (OKX {@code wss://ws.okx.com/ws/v5/public},
 * Binance base {@code wss://stream.binance.com:9443}); required for {@code custom}.</li>
 * <li>{@code subscribeMode} (default {@code url}): Binance only; {@code url} puts every stream in the combined-stream
 * URL (no client messages), {@code message} connects to {@code /ws} and sends paced {@code SUBSCRIBE} messages.</li>
 * </ul>
 * <h2>Lifecycle</h2>
 * <ul>
 * <li>{@code pingIntervalMs} (20000): OKX/custom text ping after this long without sending, or without receiving.</li>
 * <li>{@code pongTimeoutMs} (10000): reconnect when neither the pong nor any data arrives within this.</li>
 * <li>{@code staleAfterMs} (30000) and {@code staleFactor} (5.0): a stream is stale when silent longer than
 * max(staleAfterMs, staleFactor x its typical gap); also the limit for "nothing at all since subscribing".</li>
 * <li>{@code backoffInitialMs} (1000), {@code backoffMaxMs} (60000): capped exponential back-off with full jitter;
 * {@code healthyResetMs} (60000): a connection that stayed up and delivered data this long resets it.</li>
 * <li>{@code minConnectIntervalMs} (500): minimum spacing between two connection attempts of one source;
 * {@code hostConnectIntervalMs} (350): minimum spacing between attempts to the same host by all sources of the
 * component (OKX allows 3 new connections per second per IP).</li>
 * <li>{@code maxConnectionAgeMs} (85800000 = 23h50m): proactive reconnect before Binance's 24 h cut; 0 = never.</li>
 * <li>{@code handoverMaxOverlapMs} (10000): planned reconnects (max age, OKX 64008, Binance serverShutdown) open and
 * subscribe a successor socket first and close the old one once the successor delivers data or an ack; this long at
 * most may the successor take, else it is dropped and the old socket kept ({@link Handover}); 0 = close, then
 * reconnect (a gap).</li>
 * <li>{@code subscribePacingMs} (350): spacing of subscribe messages (at most ~3/s);
 * {@code subscribeBatchSize} (100): OKX args / Binance params per subscribe message.</li>
 * <li>{@code connectTimeoutMs} (10000): TCP connect + handshake; {@code closeTimeoutMs} (2000): how long a close
 * handshake may take before the next attempt goes ahead anyway.</li>
 * <li>{@code maxFrameSize} (1048576), {@code maxMessageSize} (4194304): WebSocket limits in bytes.</li>
 * <li>{@code queueHighWater} (10000), {@code queueLowWater} (5000): frames waiting for the route; the socket is
 * paused above the high and resumed at or below the low water mark.</li>
 * <li>{@code framesPerExchange} (1): when frames are queued, up to this many of them go to the route in one exchange,
 * body {@code List<RawFrame>} (one frame alone stays a {@link RawFrame}): the route's per-exchange cost is paid once
 * per group instead of once per frame. Without {@code frameLingerUs} only queued frames are grouped, so it adds
 * no latency. The Normaliser takes both bodies; a route with its own per-frame steps before it keeps 1.</li>
 * <li>{@code frameLingerUs} (0): with {@code framesPerExchange} > 1, how long a group may wait for the frames right
 * behind its first one, in microseconds: at most this much added latency, for one exchange (and one wake-up of the
 * source's thread) per group where frames arrive one at a time; 0 = only frames already queued are grouped.</li>
 * <li>{@code events}: a {@link SourceEvents} bean ({@code #name}) told about every lifecycle step.</li>
 * </ul>
 * <h2>Custom feeds</h2>
 * <ul>
 * <li>{@code subscribeMessage}: template sent after every open. Placeholders: {@code ${instruments}} and
 * {@code ${channels}} (JSON arrays of strings), {@code ${instrument}} and {@code ${channel}} (one message per
 * instrument and/or channel), {@code ${sourceId}}.</li>
 * <li>{@code pingText}, {@code pongText}: text keepalive (sent every {@code pingIntervalMs}) and its reply.</li>
 * <li>{@code controlRegex}: frames matching it (anywhere) are control frames, kept out of the route.</li>
 * <li>JSON pointers (RFC 6901) into each message: {@code instrumentPointer}, {@code pricePointer},
 * {@code timestampPointer} (+ {@code timestampUnit} {@code ms|s|us|ns|iso}), {@code typePointer} or fixed
 * {@code messageType} (default {@code message}), {@code tradeIdPointer}, {@code itemsPointer} (an array: one message
 * per element, the other pointers relative to the element).</li>
 * <li>{@code exchangeName}: the {@code exchange} column value (default: the source id).</li>
 * </ul>
 * JSON and regular expressions in endpoint URIs: never let two closing braces touch (write <code>}&nbsp;}</code> or
 * <code>\&#125;&#125;</code>: Camel takes them for the end of a property placeholder) and wrap values containing {@code +},
 * {@code %} or {@code &} in {@code RAW(...)}. See {@link io.marketetl.exchanges.custom.CustomDialect}.
 */
@UriParams
public class SourceConfig implements Cloneable {

    public static final Set<String> DIALECTS = Set.of("okx", "binance", "custom");

    private String sourceId;

    @UriParam(description = "okx, binance or custom") @Metadata(required = true)
    private String dialect;
    @UriParam(defaultValue = "trades", description = "Comma-separated channels (generic or exchange names)")
    private String channels = "trades";
    @UriParam(description = "Comma-separated instruments, any form (BTC-USDT, BTCUSDT, btc_usdt)")
    private String instruments = "";
    @UriParam(description = "WebSocket URL; empty = the dialect's public endpoint")
    private String url = "";
    @UriParam(defaultValue = "url", enums = "url,message", description = "Binance: streams in the URL or SUBSCRIBE messages")
    private String subscribeMode = "url";

    @UriParam(label = "lifecycle", defaultValue = "20000", description = "Text ping after this long without sending or receiving")
    private long pingIntervalMs = 20_000;
    @UriParam(label = "lifecycle", defaultValue = "10000", description = "Reconnect when no pong (or data) arrives within this")
    private long pongTimeoutMs = 10_000;
    @UriParam(label = "lifecycle", defaultValue = "30000", description = "Stale floor per stream, and limit for no data at all")
    private long staleAfterMs = 30_000;
    @UriParam(label = "lifecycle", defaultValue = "5.0", description = "Stale when silent longer than factor x typical gap")
    private double staleFactor = 5.0;
    @UriParam(label = "lifecycle", defaultValue = "1000", description = "First back-off cap")
    private long backoffInitialMs = 1_000;
    @UriParam(label = "lifecycle", defaultValue = "60000", description = "Largest back-off")
    private long backoffMaxMs = 60_000;
    @UriParam(label = "lifecycle", defaultValue = "60000", description = "Healthy period that resets the back-off")
    private long healthyResetMs = 60_000;
    @UriParam(label = "lifecycle", defaultValue = "500", description = "Minimum spacing of connection attempts")
    private long minConnectIntervalMs = 500;
    @UriParam(label = "lifecycle", defaultValue = "350", description = "Minimum spacing of attempts to one host, all sources")
    private long hostConnectIntervalMs = 350;
    @UriParam(label = "lifecycle", defaultValue = "85800000", description = "Proactive reconnect after this age; 0 = never")
    private long maxConnectionAgeMs = 85_800_000L;
    @UriParam(label = "lifecycle", defaultValue = "10000",
            description = "Planned reconnects: longest overlap of old and successor socket; 0 = close first (a gap)")
    private long handoverMaxOverlapMs = 10_000;
    @UriParam(label = "lifecycle", defaultValue = "350", description = "Spacing of subscribe messages")
    private long subscribePacingMs = 350;
    @UriParam(label = "lifecycle", defaultValue = "100", description = "Args/params per subscribe message")
    private int subscribeBatchSize = 100;
    @UriParam(label = "lifecycle", defaultValue = "10000", description = "TCP connect and handshake timeout")
    private long connectTimeoutMs = 10_000;
    @UriParam(label = "lifecycle", defaultValue = "2000", description = "Longest wait for a close handshake")
    private long closeTimeoutMs = 2_000;
    @UriParam(label = "lifecycle", defaultValue = "1048576", description = "Largest WebSocket frame in bytes")
    private int maxFrameSize = 1_048_576;
    @UriParam(label = "lifecycle", defaultValue = "4194304", description = "Largest WebSocket message in bytes")
    private int maxMessageSize = 4_194_304;
    @UriParam(label = "lifecycle", defaultValue = "10000", description = "Pause the socket above this many queued frames")
    private int queueHighWater = 10_000;
    @UriParam(label = "lifecycle", defaultValue = "5000", description = "Resume the socket at or below this many")
    private int queueLowWater = 5_000;
    @UriParam(label = "lifecycle", defaultValue = "1", description = "Most queued frames handed to the route in one"
            + " exchange (body List<RawFrame> when more than one)")
    private int framesPerExchange = 1;
    @UriParam(label = "lifecycle", defaultValue = "0", description = "With framesPerExchange > 1: microseconds a group"
            + " may wait for the frames right behind its first one (0 = group only frames already queued)")
    private long frameLingerUs;
    @UriParam(label = "lifecycle", description = "SourceEvents listener bean")
    private SourceEvents events;

    @UriParam(label = "custom", description = "Subscribe template sent after open")
    private String subscribeMessage = "";
    @UriParam(label = "custom", description = "Keepalive text sent every pingIntervalMs")
    private String pingText = "";
    @UriParam(label = "custom", description = "Reply to pingText (a control frame)")
    private String pongText = "";
    @UriParam(label = "custom", description = "Frames matching this regex are control frames")
    private String controlRegex = "";
    @UriParam(label = "custom", description = "JSON pointer to the instrument")
    private String instrumentPointer = "";
    @UriParam(label = "custom", description = "JSON pointer to the price")
    private String pricePointer = "";
    @UriParam(label = "custom", description = "JSON pointer to the event time")
    private String timestampPointer = "";
    @UriParam(label = "custom", defaultValue = "ms", enums = "ms,s,us,ns,iso", description = "Unit of the event time")
    private String timestampUnit = "ms";
    @UriParam(label = "custom", description = "JSON pointer to the message type")
    private String typePointer = "";
    @UriParam(label = "custom", defaultValue = "message", description = "Fixed message type when no typePointer")
    private String messageType = "";
    @UriParam(label = "custom", description = "JSON pointer to the trade id")
    private String tradeIdPointer = "";
    @UriParam(label = "custom", description = "JSON pointer to an array of items, one message each")
    private String itemsPointer = "";
    @UriParam(label = "custom", description = "exchange column value; default the source id")
    private String exchangeName = "";

    /** A copy (listener bean shared). */
    public SourceConfig copy() {
        try {
            return (SourceConfig) clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Checks the option values; throws IllegalArgumentException naming the first bad one. */
    public SourceConfig validate() {
        require(sourceId != null && !sourceId.isBlank(), "sourceId is required: exchange:<sourceId>?...");
        require(dialect != null && DIALECTS.contains(dialect.toLowerCase(Locale.ROOT)),
                "dialect must be one of okx, binance, custom: " + dialect);
        require(subscribeMode.equals("url") || subscribeMode.equals("message"), "subscribeMode must be url or message");
        require(pingIntervalMs > 0, "pingIntervalMs must be > 0");
        require(pongTimeoutMs > 0, "pongTimeoutMs must be > 0");
        require(staleAfterMs > 0, "staleAfterMs must be > 0");
        require(staleFactor >= 1.0, "staleFactor must be >= 1");
        require(backoffInitialMs > 0 && backoffMaxMs >= backoffInitialMs, "need 0 < backoffInitialMs <= backoffMaxMs");
        require(healthyResetMs > 0, "healthyResetMs must be > 0");
        require(minConnectIntervalMs >= 0, "minConnectIntervalMs must be >= 0");
        require(hostConnectIntervalMs >= 0, "hostConnectIntervalMs must be >= 0");
        require(maxConnectionAgeMs >= 0, "maxConnectionAgeMs must be >= 0");
        require(handoverMaxOverlapMs >= 0, "handoverMaxOverlapMs must be >= 0");
        require(subscribePacingMs >= 0, "subscribePacingMs must be >= 0");
        require(subscribeBatchSize > 0, "subscribeBatchSize must be > 0");
        require(connectTimeoutMs > 0, "connectTimeoutMs must be > 0");
        require(closeTimeoutMs > 0, "closeTimeoutMs must be > 0");
        require(maxFrameSize > 0 && maxMessageSize >= maxFrameSize, "need 0 < maxFrameSize <= maxMessageSize");
        require(queueHighWater > 0 && queueLowWater >= 0 && queueLowWater < queueHighWater,
                "need 0 <= queueLowWater < queueHighWater");
        require(framesPerExchange > 0, "framesPerExchange must be > 0");
        require(frameLingerUs >= 0 && frameLingerUs <= 1_000_000, "frameLingerUs must be 0..1000000");
        require(Set.of("ms", "s", "us", "ns", "iso").contains(timestampUnit), "timestampUnit must be ms|s|us|ns|iso");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** {@code channels} split on commas, trimmed, empties removed. */
    public List<String> channelList() {
        return split(channels);
    }

    /** {@code instruments} split on commas, trimmed, empties removed. */
    public List<String> instrumentList() {
        return split(instruments);
    }

    static List<String> split(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    static boolean isSet(String s) {
        return s != null && !s.isEmpty();
    }

    // ---- fluent accessors (also JavaBean setters for Camel property binding) ----

    public String getSourceId() { return sourceId; }
    public void setSourceId(String sourceId) { this.sourceId = sourceId; }
    public SourceConfig sourceId(String v) { setSourceId(v); return this; }
    public String getDialect() { return dialect; }
    public void setDialect(String dialect) { this.dialect = dialect == null ? null : dialect.toLowerCase(Locale.ROOT); }
    public SourceConfig dialect(String v) { setDialect(v); return this; }
    public String getChannels() { return channels; }
    public void setChannels(String channels) { this.channels = channels; }
    public SourceConfig channels(String v) { setChannels(v); return this; }
    public String getInstruments() { return instruments; }
    public void setInstruments(String instruments) { this.instruments = instruments; }
    public SourceConfig instruments(String v) { setInstruments(v); return this; }
    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url == null ? "" : url.strip(); }
    public SourceConfig url(String v) { setUrl(v); return this; }
    public String getSubscribeMode() { return subscribeMode; }
    public void setSubscribeMode(String subscribeMode) { this.subscribeMode = subscribeMode.toLowerCase(Locale.ROOT); }
    public SourceConfig subscribeMode(String v) { setSubscribeMode(v); return this; }

    public long getPingIntervalMs() { return pingIntervalMs; }
    public void setPingIntervalMs(long v) { this.pingIntervalMs = v; }
    public SourceConfig pingIntervalMs(long v) { setPingIntervalMs(v); return this; }
    public long getPongTimeoutMs() { return pongTimeoutMs; }
    public void setPongTimeoutMs(long v) { this.pongTimeoutMs = v; }
    public SourceConfig pongTimeoutMs(long v) { setPongTimeoutMs(v); return this; }
    public long getStaleAfterMs() { return staleAfterMs; }
    public void setStaleAfterMs(long v) { this.staleAfterMs = v; }
    public SourceConfig staleAfterMs(long v) { setStaleAfterMs(v); return this; }
    public double getStaleFactor() { return staleFactor; }
    public void setStaleFactor(double v) { this.staleFactor = v; }
    public SourceConfig staleFactor(double v) { setStaleFactor(v); return this; }
    public long getBackoffInitialMs() { return backoffInitialMs; }
    public void setBackoffInitialMs(long v) { this.backoffInitialMs = v; }
    public SourceConfig backoffInitialMs(long v) { setBackoffInitialMs(v); return this; }
    public long getBackoffMaxMs() { return backoffMaxMs; }
    public void setBackoffMaxMs(long v) { this.backoffMaxMs = v; }
    public SourceConfig backoffMaxMs(long v) { setBackoffMaxMs(v); return this; }
    public long getHealthyResetMs() { return healthyResetMs; }
    public void setHealthyResetMs(long v) { this.healthyResetMs = v; }
    public SourceConfig healthyResetMs(long v) { setHealthyResetMs(v); return this; }
    public long getMinConnectIntervalMs() { return minConnectIntervalMs; }
    public void setMinConnectIntervalMs(long v) { this.minConnectIntervalMs = v; }
    public SourceConfig minConnectIntervalMs(long v) { setMinConnectIntervalMs(v); return this; }
    public long getHostConnectIntervalMs() { return hostConnectIntervalMs; }
    public void setHostConnectIntervalMs(long v) { this.hostConnectIntervalMs = v; }
    public SourceConfig hostConnectIntervalMs(long v) { setHostConnectIntervalMs(v); return this; }
    public long getMaxConnectionAgeMs() { return maxConnectionAgeMs; }
    public void setMaxConnectionAgeMs(long v) { this.maxConnectionAgeMs = v; }
    public SourceConfig maxConnectionAgeMs(long v) { setMaxConnectionAgeMs(v); return this; }
    public long getHandoverMaxOverlapMs() { return handoverMaxOverlapMs; }
    public void setHandoverMaxOverlapMs(long v) { this.handoverMaxOverlapMs = v; }
    public SourceConfig handoverMaxOverlapMs(long v) { setHandoverMaxOverlapMs(v); return this; }
    public long getSubscribePacingMs() { return subscribePacingMs; }
    public void setSubscribePacingMs(long v) { this.subscribePacingMs = v; }
    public SourceConfig subscribePacingMs(long v) { setSubscribePacingMs(v); return this; }
    public int getSubscribeBatchSize() { return subscribeBatchSize; }
    public void setSubscribeBatchSize(int v) { this.subscribeBatchSize = v; }
    public SourceConfig subscribeBatchSize(int v) { setSubscribeBatchSize(v); return this; }
    public long getConnectTimeoutMs() { return connectTimeoutMs; }
    public void setConnectTimeoutMs(long v) { this.connectTimeoutMs = v; }
    public SourceConfig connectTimeoutMs(long v) { setConnectTimeoutMs(v); return this; }
    public long getCloseTimeoutMs() { return closeTimeoutMs; }
    public void setCloseTimeoutMs(long v) { this.closeTimeoutMs = v; }
    public SourceConfig closeTimeoutMs(long v) { setCloseTimeoutMs(v); return this; }
    public int getMaxFrameSize() { return maxFrameSize; }
    public void setMaxFrameSize(int v) { this.maxFrameSize = v; }
    public SourceConfig maxFrameSize(int v) { setMaxFrameSize(v); return this; }
    public int getMaxMessageSize() { return maxMessageSize; }
    public void setMaxMessageSize(int v) { this.maxMessageSize = v; }
    public SourceConfig maxMessageSize(int v) { setMaxMessageSize(v); return this; }
    public int getQueueHighWater() { return queueHighWater; }
    public void setQueueHighWater(int v) { this.queueHighWater = v; }
    public SourceConfig queueHighWater(int v) { setQueueHighWater(v); return this; }
    public int getQueueLowWater() { return queueLowWater; }
    public void setQueueLowWater(int v) { this.queueLowWater = v; }
    public SourceConfig queueLowWater(int v) { setQueueLowWater(v); return this; }
    public int getFramesPerExchange() { return framesPerExchange; }
    public void setFramesPerExchange(int v) { this.framesPerExchange = v; }
    public SourceConfig framesPerExchange(int v) { setFramesPerExchange(v); return this; }
    public long getFrameLingerUs() { return frameLingerUs; }
    public void setFrameLingerUs(long v) { this.frameLingerUs = v; }
    public SourceConfig frameLingerUs(long v) { setFrameLingerUs(v); return this; }
    public SourceEvents getEvents() { return events; }
    public void setEvents(SourceEvents events) { this.events = events; }
    public SourceConfig events(SourceEvents v) { setEvents(v); return this; }

    public String getSubscribeMessage() { return subscribeMessage; }
    public void setSubscribeMessage(String v) { this.subscribeMessage = v == null ? "" : v; }
    public SourceConfig subscribeMessage(String v) { setSubscribeMessage(v); return this; }
    public String getPingText() { return pingText; }
    public void setPingText(String v) { this.pingText = v == null ? "" : v; }
    public SourceConfig pingText(String v) { setPingText(v); return this; }
    public String getPongText() { return pongText; }
    public void setPongText(String v) { this.pongText = v == null ? "" : v; }
    public SourceConfig pongText(String v) { setPongText(v); return this; }
    public String getControlRegex() { return controlRegex; }
    public void setControlRegex(String v) { this.controlRegex = v == null ? "" : v; }
    public SourceConfig controlRegex(String v) { setControlRegex(v); return this; }
    public String getInstrumentPointer() { return instrumentPointer; }
    public void setInstrumentPointer(String v) { this.instrumentPointer = v == null ? "" : v; }
    public SourceConfig instrumentPointer(String v) { setInstrumentPointer(v); return this; }
    public String getPricePointer() { return pricePointer; }
    public void setPricePointer(String v) { this.pricePointer = v == null ? "" : v; }
    public SourceConfig pricePointer(String v) { setPricePointer(v); return this; }
    public String getTimestampPointer() { return timestampPointer; }
    public void setTimestampPointer(String v) { this.timestampPointer = v == null ? "" : v; }
    public SourceConfig timestampPointer(String v) { setTimestampPointer(v); return this; }
    public String getTimestampUnit() { return timestampUnit; }
    public void setTimestampUnit(String v) { this.timestampUnit = v == null ? "ms" : v.toLowerCase(Locale.ROOT); }
    public SourceConfig timestampUnit(String v) { setTimestampUnit(v); return this; }
    public String getTypePointer() { return typePointer; }
    public void setTypePointer(String v) { this.typePointer = v == null ? "" : v; }
    public SourceConfig typePointer(String v) { setTypePointer(v); return this; }
    public String getMessageType() { return messageType; }
    public void setMessageType(String v) { this.messageType = v == null ? "" : v; }
    public SourceConfig messageType(String v) { setMessageType(v); return this; }
    public String getTradeIdPointer() { return tradeIdPointer; }
    public void setTradeIdPointer(String v) { this.tradeIdPointer = v == null ? "" : v; }
    public SourceConfig tradeIdPointer(String v) { setTradeIdPointer(v); return this; }
    public String getItemsPointer() { return itemsPointer; }
    public void setItemsPointer(String v) { this.itemsPointer = v == null ? "" : v; }
    public SourceConfig itemsPointer(String v) { setItemsPointer(v); return this; }
    public String getExchangeName() { return exchangeName; }
    public void setExchangeName(String v) { this.exchangeName = v == null ? "" : v; }
    public SourceConfig exchangeName(String v) { setExchangeName(v); return this; }
}
