package io.marketetl.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Records what one logger (by class) writes while open, as a user reading the log would see it: level and formatted
 * message. Attached to the logger's effective log4j2 configuration, so the console output is unchanged.
 */
public final class LogCapture implements AutoCloseable {

    /** One recorded line. */
    public record Line(Level level, String message) {
    }

    private final String loggerName;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final LoggerContext context;
    private final LoggerConfig loggerConfig;
    private final AbstractAppender appender;

    private LogCapture(Class<?> type) {
        this.loggerName = type.getName();
        this.context = (LoggerContext) LogManager.getContext(false);
        this.appender = new AbstractAppender("capture-" + loggerName + "-" + System.identityHashCode(this), null,
                null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (loggerName.equals(event.getLoggerName())) {
                    lines.add(new Line(event.getLevel(), event.getMessage().getFormattedMessage()));
                }
            }
        };
        appender.start();
        this.loggerConfig = context.getConfiguration().getLoggerConfig(loggerName);
        loggerConfig.addAppender(appender, null, null);
        context.updateLoggers();
    }

    /** Starts recording what {@code type}'s logger writes. */
    public static LogCapture of(Class<?> type) {
        return new LogCapture(type);
    }

    /** The lines at {@code level} whose message contains {@code text}, in order. */
    public List<String> lines(Level level, String text) {
        return lines.stream().filter(l -> l.level() == level && l.message().contains(text)).map(Line::message)
                .toList();
    }

    @Override
    public void close() {
        loggerConfig.removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
