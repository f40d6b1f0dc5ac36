package io.marketetl.simulator;

import io.marketetl.simulator.SimulatorStats.RestRequest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last {@code capacity} REST requests, oldest first. Entries are added when a request arrives and completed
 * when (if ever) it is answered. Written by the event loop, read from any thread.
 */
final class RequestLog {

    /**
     * One request; status and answeredAtMs stay 0 (retryAfter null) until the answer is written (forever for
     * unanswered ones).
     */
    static final class Entry {
        final long id;
        final long timeMs;
        final String method;
        final String path;
        final String query;
        final List<String> headerNames;
        final Map<String, String> headers;
        final String remoteAddress;
        final int remotePort;
        volatile int status;
        volatile long answeredAtMs;
        volatile String retryAfter;

        Entry(long id, long timeMs, String method, String path, String query, List<String> headerNames,
              Map<String, String> headers, String remoteAddress, int remotePort) {
            this.id = id;
            this.timeMs = timeMs;
            this.method = method;
            this.path = path;
            this.query = query;
            this.headerNames = List.copyOf(headerNames);
            this.headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
            this.remoteAddress = remoteAddress;
            this.remotePort = remotePort;
        }

        void answered(int status, long atMs, String retryAfter) {
            this.answeredAtMs = atMs;
            this.retryAfter = retryAfter;
            this.status = status;
        }

        RestRequest snapshot() {
            return new RestRequest(id, timeMs, method, path, query, headerNames, headers, remoteAddress, remotePort,
                    status, answeredAtMs, retryAfter);
        }
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId = 1;
    private long recorded;

    RequestLog(int capacity) {
        this.capacity = capacity;
    }

    synchronized Entry add(long timeMs, String method, String path, String query, List<String> headerNames,
                           Map<String, String> headers, String remoteAddress, int remotePort) {
        Entry e = new Entry(nextId++, timeMs, method, path, query, headerNames, headers, remoteAddress, remotePort);
        entries.addLast(e);
        recorded++;
        while (entries.size() > capacity) {
            entries.pollFirst();
        }
        return e;
    }

    /** The newest {@code limit} requests whose path starts with {@code pathPrefix} (null = all), oldest first. */
    synchronized List<RestRequest> last(int limit, String pathPrefix) {
        List<RestRequest> out = new ArrayList<>();
        var it = entries.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            Entry e = it.next();
            if (pathPrefix == null || e.path.startsWith(pathPrefix)) {
                out.add(e.snapshot());
            }
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** Requests recorded since the last clear, including those no longer kept. */
    synchronized long recorded() {
        return recorded;
    }

    synchronized int size() {
        return entries.size();
    }

    int capacity() {
        return capacity;
    }

    synchronized void clear() {
        entries.clear();
        recorded = 0;
    }
}
