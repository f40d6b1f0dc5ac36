package io.marketetl.connector;

import java.time.Instant;

/**
 * One call of a connector now, outside its schedule and stored nowhere ({@code POST /api/connectors/{id}/test}). It
 * goes through the same client and host budget as the scheduled calls, so testing cannot break a rate limit.
 */
public final class ConnectorTester {

    /**
     * @param outcome        ok, or what went wrong (rate_limited, server_error, ..., refused: the budget's reason)
     * @param statusCode     HTTP status, 0 without an answer
     * @param responseTimeMs null when not sent
     * @param error          one line when there was no answer or the call was refused, else null
     * @param response       the answer for the extraction preview, null without one
     */
    public record Result(String outcome, int statusCode, Double responseTimeMs, String error, ApiResponse response) {
    }

    private ConnectorTester() {
    }

    public static Result call(ConnectorDefinition definition, ConnectorServices services) {
        ConnectorRun run = new ConnectorRun(definition, services, ConnectorMeters.NONE, r -> {
        });
        ConnectorRun.TestCall t = run.testCall();
        ApiClient.Result r = t.result();
        return switch (r.kind()) {
            case REFUSED -> new Result("refused", 0, null, "the host's budget allows no call before "
                    + Instant.ofEpochMilli(r.waitUntilMillis()) + " (" + r.refusedBecause() + ")", null);
            case NO_ANSWER -> new Result(r.classification().outcome().label(), 0, r.responseTimeMs(), r.error(), null);
            case ANSWERED -> new Result(r.classification().ok() ? "ok" : r.classification().outcome().label(),
                    r.status(), r.responseTimeMs(), null, t.response());
        };
    }
}
