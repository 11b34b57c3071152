package io.contop.host.tokens.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects every log event of every logger while open, with the messages of attached exceptions. */
final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    /** Returns each event as its level, formatted message and the messages of its exception chain. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(appender.list)) {
            StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getFormattedMessage());
            for (IThrowableProxy error = event.getThrowableProxy(); error != null; error = error.getCause()) {
                line.append(" | ").append(error.getClassName()).append(": ").append(error.getMessage());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** Returns the lines at WARN level or above. */
    List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(appender.list)) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                warnings.add(event.getFormattedMessage());
            }
        }
        return warnings;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
