/**
 * Request limits for HTTP API connectors, shared per host because exchanges limit per IP.
 * <ul>
 * <li>{@link io.marketetl.connector.limit.HostBudgets}: the registry, one {@link io.marketetl.connector.limit.HostBudget}
 * per host or host group, rules from the exchange modules and from {@code MARKET_ETL_HOST_LIMITS};</li>
 * <li>{@link io.marketetl.connector.limit.HostBudget}: non-blocking permits from request and weight windows,
 * blocked-until after 429/418/{@code Retry-After}, server-corrected used weight, shares for background callers;</li>
 * <li>{@link io.marketetl.connector.limit.RetryAfter}: the header, both forms, capped;</li>
 * <li>{@link io.marketetl.connector.limit.ResponseClassifier} with {@link io.marketetl.connector.limit.ResponseRules}:
 * one answer's {@link io.marketetl.connector.limit.ResponseOutcome} from its status and body code;</li>
 * <li>{@link io.marketetl.connector.limit.CallBackoff}: one connector's "next call not before" after failures.</li>
 * </ul>
 * A connector's call: {@code budget.tryAcquire(path, module.requestWeight(path, query), now, share)}; if granted,
 * send; then {@code classifier.classify(status, body)}, {@code budget.onResponse(permit, classification, headers, now)} and
 * {@code backoff.onOutcome(classification.outcome(), now)}. All times are epoch milliseconds passed in.
 */
package io.marketetl.connector.limit;
