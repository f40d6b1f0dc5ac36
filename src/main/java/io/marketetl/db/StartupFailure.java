package io.marketetl.db;

/**
 * A start-up problem the user can fix, with the one line that tells them how and the process exit code.
 * Thrown instead of a stack trace; {@link io.marketetl.Application} prints the line and exits.
 */
public class StartupFailure extends RuntimeException {

    /** Exit codes, distinct so that scripts and orchestrators can tell the causes apart. */
    public enum Kind {
        DATABASE_UNREACHABLE(3),
        AUTHENTICATION_FAILED(4),
        DATABASE_NOT_CREATABLE(5),
        MIGRATION_FAILED(6),
        SECRET_KEY_MISSING(7),
        BAD_CONFIGURATION(2);

        public final int exitCode;

        Kind(int exitCode) {
            this.exitCode = exitCode;
        }
    }

    private final Kind kind;

    public StartupFailure(Kind kind, String userMessage, Throwable cause) {
        super(userMessage, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public int exitCode() {
        return kind.exitCode;
    }
}
