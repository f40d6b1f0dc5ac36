package io.marketetl.connector.auth;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * How an HTTP API connector authenticates ({@code api_connectors.auth_type}) and what its credentials
 * ({@code credentials_encrypted}, decrypted: a JSON object of strings, here a map) must hold. Generic types are in
 * this package ({@code None}, {@code ApiKey}, {@code Bearer}, {@code Basic}), exchange-specific ones in their exchange
 * package, offered by its {@link io.marketetl.exchanges.ExchangeModule#authTypes()}; {@link AuthTypes} finds them by
 * name. Implementations are stateless and thread-safe; they never keep, log or print credentials.
 */
public interface AuthType {

    /** The type's credential fields: its name, which fields it takes, which are secret and how they are checked. */
    CredentialFields fields();

    /** The name stored in {@code api_connectors.auth_type}, e.g. {@code Bearer}. */
    default String name() {
        return fields().typeName();
    }

    /**
     * What is wrong with these credentials, one line per problem naming the field ({@code credentials.secret is
     * required}, {@code credentials.extra is not a field of Bearer ...}); empty when they are fine. A null map is
     * taken as empty. Problems never quote values.
     */
    default List<String> validate(Map<String, String> credentials) {
        return fields().validate(credentials);
    }

    /**
     * Adds this type's headers and parameters to the request, at call time (signatures and timestamps from
     * {@code clock}); once per request, after everything else about the request is set.
     *
     * @throws IllegalArgumentException listing the {@link #validate} problems when the credentials are invalid
     */
    void apply(ApiRequest request, Map<String, String> credentials, Clock clock);

    /**
     * The credential values that are secret, to mask them in answers and to look for them in logs: every non-empty
     * value except the few that are not secret (ApiKey's {@code in} and {@code name}, BinanceHmac's
     * {@code recv_window}); unknown fields count as secret. Types may add values derived from the secrets that would
     * be as bad to leak (Basic: the encoded {@code user:password}).
     */
    default List<String> secretValues(Map<String, String> credentials) {
        return fields().secretValues(credentials);
    }
}
