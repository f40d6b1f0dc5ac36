package io.marketetl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exchange simulator in its own JVM for the connectors scenario: {@code java -jar market-etl.jar simulator ...}
 * (or its main class on this classpath), on 127.0.0.1 and an ephemeral port. Reads the URLs from its first line of
 * output; {@link #stats()} is {@code GET /sim/stats}. {@link #close()} kills it.
 */
final class SimulatorProcess implements AutoCloseable {

    private static final Pattern REST_URL = Pattern.compile("okx-rest=(\\S+)");
    private static final Pattern CONTROL_URL = Pattern.compile("control=(\\S+)/stats");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final String firstLine;
    private final String restUrl;
    private final String controlUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SimulatorProcess(Process process, Path log, String firstLine, String restUrl, String controlUrl) {
        this.process = process;
        this.log = log;
        this.firstLine = firstLine;
        this.restUrl = restUrl;
        this.controlUrl = controlUrl;
    }

    /**
     * @param launch the JVM and what to run, up to the simulator's own arguments: {@code java ... -jar market-etl.jar
     *               simulator} or {@code java ... -cp ... io.marketetl.simulator.SimulatorMain}
     * @param args   the simulator's options (host and port are added)
     */
    static SimulatorProcess start(List<String> launch, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(launch);
        command.addAll(List.of("--host", "127.0.0.1", "--port", "0"));
        command.addAll(args);
        Path log = Files.createTempFile("bench-simulator-", ".log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null) {
            String err = Files.readString(log);
            Files.deleteIfExists(log);
            throw new IllegalStateException("the simulator exited without a URL line: " + err);
        }
        Matcher r = REST_URL.matcher(line);
        Matcher c = CONTROL_URL.matcher(line);
        if (!r.find() || !c.find()) {
            p.destroyForcibly();
            throw new IllegalStateException("unexpected simulator output: " + line);
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // nothing else expected; keep the pipe from filling
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "bench-simulator-stdout");
        drain.setDaemon(true);
        drain.start();
        return new SimulatorProcess(p, log, line, r.group(1), c.group(1));
    }

    /** Base URL of its REST side, e.g. {@code http://127.0.0.1:41234} (every REST path is on it). */
    String restUrl() {
        return restUrl;
    }

    /** One of the URLs its first line lists ({@code okx-ws}, {@code binance-ws}, {@code okx-rest}, ...). */
    String url(String name) {
        Matcher m = Pattern.compile("(?:^|\\s)" + Pattern.quote(name) + "=(\\S+)").matcher(firstLine);
        if (!m.find()) {
            throw new IllegalStateException("the simulator lists no " + name + " URL: " + firstLine);
        }
        return m.group(1);
    }

    long pid() {
        return process.pid();
    }

    JsonNode stats() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(controlUrl + "/stats"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /sim/stats: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** {@code POST /sim/faults} with this JSON body. */
    void faults(String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(controlUrl + "/faults"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("POST /sim/faults " + body + ": " + r.statusCode() + " " + r.body());
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
