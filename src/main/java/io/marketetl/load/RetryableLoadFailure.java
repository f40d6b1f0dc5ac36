package io.marketetl.load;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * The load route's {@code retryWhileRef} (registry name {@code retryableLoadFailure}): retry forever, unless the
 * database refused the data itself (SQLSTATE 22, 23, 54; see {@link LoadErrors}), which no retry can fix. The loader
 * handles refused message rows itself, so in practice this only gives up on a batch row that PostgreSQL refuses,
 * after its messages are committed: the batch row is then logged as lost instead of stalling the source.
 */
public final class RetryableLoadFailure implements Predicate {

    @Override
    public boolean matches(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        if (!(body instanceof io.marketetl.batch.Batch || body instanceof BatchGroup)) {
            // a step after the load (a counter, the source's performance handed to the status writer): the batch is
            // committed or spooled, so retrying the step would only hold a writer and a clean stop; logged, dropped
            return false;
        }
        Throwable cause = exchange.getException();
        if (cause == null) {
            cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        }
        return !LoadErrors.isDataError(cause);
    }
}
