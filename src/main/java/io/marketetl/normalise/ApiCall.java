package io.marketetl.normalise;

/**
 * What an {@code api_connector_data} row knows of the HTTP call that produced it. A {@link MarketMessage} with a call
 * is stored in {@code api_connector_data}; one without (WebSocket) in {@code websocket_messages}.
 *
 * @param statusCode     the HTTP status of the answer
 * @param responseTimeMs request sent to answer read, in milliseconds
 * @param rawResponse    the answer's body as JSON text (a non-JSON body as a JSON string), or null: only the first
 *                       row of a call carries it, so that an answer split into many rows is not stored many times
 * @param callId         the call's id ({@code source_id}): the rows of one call share it
 * @param sessionId      the connector run's id ({@code session_id}): new each time the connector starts
 */
public record ApiCall(int statusCode, double responseTimeMs, String rawResponse, String callId, String sessionId) {
}
