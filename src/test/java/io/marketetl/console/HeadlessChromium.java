package io.marketetl.console;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Debian's {@code chromium}, headless, for page tests: the DOM after the page's scripts ran ({@code --dump-dom} with
 * a virtual time budget), a screenshot, or a live tab driven over the Chrome DevTools protocol (a small client on
 * java.net.http's WebSocket: {@code Runtime.evaluate} only).
 */
final class HeadlessChromium {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RUN_LIMIT = Duration.ofSeconds(60);

    private HeadlessChromium() {
    }

    /** The chromium binary on the PATH (or /usr/bin/chromium), if any. */
    static Optional<Path> binary() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "chromium"));
            }
        }
        candidates.add(Path.of("/usr/bin/chromium"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static List<String> command(Path userDataDir, String... flags) {
        List<String> cmd = new ArrayList<>(List.of(binary().orElseThrow().toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
                "--user-data-dir=" + userDataDir));
        cmd.addAll(List.of(flags));
        return cmd;
    }

    /** The page's DOM once its scripts have had {@code budgetMs} of virtual time. */
    static String dumpDom(String url, int budgetMs, Path workDir) throws Exception {
        Path out = workDir.resolve("dom.html");
        run(command(workDir.resolve("profile-dom"), "--virtual-time-budget=" + budgetMs, "--dump-dom", url), out);
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** A PNG of the page at 1280x900 once its scripts have had {@code budgetMs} of virtual time. */
    static void screenshot(String url, int budgetMs, Path png, Path workDir) throws Exception {
        Files.createDirectories(png.toAbsolutePath().getParent());
        run(command(workDir.resolve("profile-shot"), "--virtual-time-budget=" + budgetMs, "--window-size=1280,900",
                "--screenshot=" + png.toAbsolutePath(), url), workDir.resolve("shot.log"));
    }

    private static void run(List<String> cmd, Path stdout) throws Exception {
        Path err = stdout.resolveSibling(stdout.getFileName() + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("chromium did not finish within " + RUN_LIMIT + ": " + Files.readString(err));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("chromium exited with " + p.exitValue() + ": " + Files.readString(err));
        }
    }

    /** A live headless tab on {@code url}, driven over the DevTools protocol. */
    static Tab open(String url, Path workDir) throws Exception {
        Path profile = workDir.resolve("profile-cdp");
        Process p = new ProcessBuilder(command(profile, "--remote-debugging-port=0", "--window-size=1280,900", url))
                .redirectOutput(workDir.resolve("cdp.out").toFile()).redirectError(workDir.resolve("cdp.err").toFile())
                .start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            HttpClient http = HttpClient.newHttpClient();
            AtomicReference<String> ws = new AtomicReference<>();
            await().atMost(RUN_LIMIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!p.isAlive()) {
                    throw new AssertionError("chromium exited: " + Files.readString(workDir.resolve("cdp.err")));
                }
                ws.set(Files.exists(portFile) ? pageTarget(http, portFile).orElse(null) : null);
                return ws.get() != null;
            });
            return new Tab(p, http, ws.get());
        } catch (Exception | AssertionError e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static Optional<String> pageTarget(HttpClient http, Path portFile) {
        try {
            List<String> lines = Files.readAllLines(portFile);
            if (lines.isEmpty() || lines.get(0).isBlank()) {
                return Optional.empty();
            }
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lines.get(0).strip()
                    + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (JsonNode t : JSON.readTree(body)) {
                if ("page".equals(t.path("type").asText()) && t.hasNonNull("webSocketDebuggerUrl")) {
                    return Optional.of(t.get("webSocketDebuggerUrl").asText());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** One tab: evaluates expressions in the page (DevTools bypasses the page's Content-Security-Policy). */
    static final class Tab implements AutoCloseable {
        private final Process process;
        private final WebSocket socket;
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

        private Tab(Process process, HttpClient http, String wsUrl) throws Exception {
            this.process = process;
            this.socket = http.newWebSocketBuilder().buildAsync(URI.create(wsUrl), new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        try {
                            JsonNode msg = JSON.readTree(text.toString());
                            CompletableFuture<JsonNode> f = msg.has("id") ? pending.remove(msg.get("id").asInt()) : null;
                            if (f != null) {
                                f.complete(msg);
                            }
                        } catch (IOException e) {
                            // not ours to answer
                        }
                        text.setLength(0);
                    }
                    ws.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
        }

        /** The value of a JavaScript expression in the page (promises awaited), as JSON. */
        JsonNode eval(String expression) throws Exception {
            int id = ids.incrementAndGet();
            ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", "Runtime.evaluate");
            msg.putObject("params").put("expression", expression).put("returnByValue", true).put("awaitPromise", true);
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            socket.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
            JsonNode result = answer.get(30, TimeUnit.SECONDS).path("result");
            if (result.has("exceptionDetails")) {
                throw new AssertionError("page threw on " + expression + ": " + result.get("exceptionDetails"));
            }
            return result.path("result").path("value");
        }

        String text(String expression) throws Exception {
            return eval(expression).asText();
        }

        @Override
        public void close() throws Exception {
            socket.abort();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
