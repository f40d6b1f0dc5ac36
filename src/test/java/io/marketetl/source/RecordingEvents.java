package io.marketetl.source;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every {@link SourceEvents} call as text, plus the scheduled delays. */
final class RecordingEvents implements SourceEvents {

    record Scheduled(Duration delay, int attempt) {
    }

    final List<String> log = new CopyOnWriteArrayList<>();
    final List<Scheduled> scheduled = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final List<String> stale = new CopyOnWriteArrayList<>();
    final List<Integer> closeCodes = new CopyOnWriteArrayList<>();

    @Override
    public void connecting(String sourceId, int attempt) {
        log.add("connecting " + attempt);
    }

    @Override
    public void connected(String sourceId) {
        log.add("connected");
    }

    @Override
    public void subscribed(String sourceId) {
        log.add("subscribed");
    }

    @Override
    public void disconnected(String sourceId, String reason, Integer closeCode) {
        log.add("disconnected " + reason + " " + closeCode);
        if (closeCode != null) {
            closeCodes.add(closeCode);
        }
    }

    @Override
    public void reconnectScheduled(String sourceId, Duration delay, int attempt) {
        log.add("reconnect in " + delay.toMillis() + " ms, attempt " + attempt);
        scheduled.add(new Scheduled(delay, attempt));
    }

    @Override
    public void staleDetected(String sourceId, String stream) {
        log.add("stale " + stream);
        stale.add(stream);
    }

    @Override
    public void error(String sourceId, String message) {
        log.add("error " + message);
        errors.add(message);
    }

    long count(String prefix) {
        return log.stream().filter(s -> s.startsWith(prefix)).count();
    }
}
