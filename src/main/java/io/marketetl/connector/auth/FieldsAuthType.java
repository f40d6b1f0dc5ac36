package io.marketetl.connector.auth;

/**
 * The common part of the auth types: their credential fields, and a {@code toString} that is the type's name (never a
 * value). A type adds how it applies the credentials, and may refine the checks.
 */
public abstract class FieldsAuthType implements AuthType {

    private final CredentialFields fields;

    protected FieldsAuthType(CredentialFields fields) {
        this.fields = fields;
    }

    @Override
    public final CredentialFields fields() {
        return fields;
    }

    @Override
    public String toString() {
        return name();
    }
}
