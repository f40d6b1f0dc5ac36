package io.marketetl.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The application as a user runs it: a child JVM ({@code io.marketetl.Application}, the jar's main class) on the
 * test classpath, with its own working directory and environment. Tests assert on its output and exit code.
 */
public final class AppProcess implements AutoCloseable {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private AppProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts the application in {@code workDir} (which should hold the routes folder the test wants, if any).
     * The child environment is this JVM's, less any application settings it carries, plus {@code env}.
     */
    public static AppProcess start(Path workDir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.marketetl.Application");
        command.addAll(List.of(args));
        return start(command, workDir, env);
    }

    /** Runs an exact command line, e.g. the container's {@code java -jar market-etl.jar}. */
    public static AppProcess start(List<String> command, Path workDir, Map<String, String> env) {
        try {
            Files.createDirectories(workDir);
            Path out = Files.createTempFile(workDir, "stdout", ".txt");
            Path err = Files.createTempFile(workDir, "stderr", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            // only the test decides the application's settings, whatever the machine exports
            pb.environment().keySet().removeIf(k -> k.startsWith("POSTGRES_") || k.startsWith("MARKET_ETL_")
                    || k.startsWith("OKX_") || k.startsWith("BINANCE_"));
            // the REST API's port: a free one unless the test names it, so that runs never collide on 8080
            pb.environment().put("MARKET_ETL_API_PORT", Integer.toString(freePort()));
            pb.environment().putAll(env);
            return new AppProcess(pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The environment of an application run against {@code db}: a free management port, {@code routes} as its (not
     * reloaded) routes folder. Tests add or override what they are about.
     */
    public static java.util.Map<String, String> environment(io.marketetl.db.DatabaseSettings db, Path routes) {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put("POSTGRES_HOST", db.host());
        env.put("POSTGRES_PORT", Integer.toString(db.port()));
        env.put("POSTGRES_USER", db.user());
        env.put("POSTGRES_PASSWORD", db.password());
        env.put("POSTGRES_DB", db.database());
        env.put("MARKET_ETL_MANAGEMENT_PORT", Integer.toString(freePort()));
        env.put("MARKET_ETL_ROUTES_DIR", routes.toString());
        env.put("MARKET_ETL_ROUTES_RELOAD", "false");
        return env;
    }

    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A TCP port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** Waits for the process to end and returns its exit code. */
    public int waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("application did not exit within " + timeout + "\nstdout:\n" + stdout()
                        + "\nstderr:\n" + stderr());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the standard output contains {@code text}, failing early if the process dies. */
    public void awaitOutput(String text, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (stdout().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("application exited with " + process.exitValue() + " before printing '"
                        + text + "'\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
            }
            return false;
        });
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child JVM's process id (for its CPU time in /proc). */
    public long pid() {
        return process.pid();
    }

    /** SIGKILL (kill -9): no shutdown hook, nothing flushed; returns once the process is gone. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, as {@code docker stop} sends, then waits for a clean exit. */
    public int stop(Duration timeout) {
        process.destroy();
        return waitForExit(timeout);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    // killed, and waited for: the next application of a test may take over its ports at once
                    process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
