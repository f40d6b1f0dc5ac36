package io.marketetl.connector;

import java.time.Instant;

/**
 * One answer of an HTTP API connector's call: the body of the exchange an {@code api:} consumer hands to its route,
 * as {@link io.marketetl.source.RawFrame} is for WebSocket sources. The normalise step turns it into rows
 * ({@link ApiExtractor}). Carries no request header or credential.
 *
 * @param connectorId   the connector
 * @param exchangeName  the exchange module's name, or null
 * @param statusCode    HTTP status
 * @param responseTimeMs request sent to answer read
 * @param body          the answer's body as text ("" for none)
 * @param jsonBody      whether the body is to be read as JSON (2xx answers that parse; else stored as a string)
 * @param receivedAt    wall-clock time the answer was read
 * @param receivedNanos {@link System#nanoTime()} then, for stage durations
 * @param callId        the call's id (the rows' {@code source_id})
 * @param sessionId     the connector run (the rows' {@code session_id})
 * @param extract       the pointers in force (the connector's, completed by its exchange's defaults)
 * @param instrument    the instrument of a per-instrument call ({@code {instrument}} fan-out), else null
 * @param successful    whether the answer counts as data (2xx and no error in the body): an error answer is stored
 *                      whole as one row with its status code, not split by {@code extract.items}
 */
public record ApiResponse(String connectorId, String exchangeName, int statusCode, double responseTimeMs, String body,
        Instant receivedAt, long receivedNanos, String callId, String sessionId, Extract extract, String instrument,
        boolean successful) {

    @Override
    public String toString() {
        String b = body.length() > 120 ? body.substring(0, 120) + "..." : body;
        return "ApiResponse[" + connectorId + " " + statusCode + " " + responseTimeMs + " ms " + b + "]";
    }
}
