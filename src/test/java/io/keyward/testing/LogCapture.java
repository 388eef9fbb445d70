package io.keyward.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Everything logged while it is attached, as text, to check that no secret value was logged. */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  public LogCapture() {
    appender.start();
    root.addAppender(appender);
  }

  public String text() {
    List<ILoggingEvent> events = List.copyOf(appender.list);
    return events.stream().map(e -> e.getFormattedMessage() + throwable(e.getThrowableProxy()))
        .collect(Collectors.joining("\n"));
  }

  /** One event as logged: which logger, at what level, and its text (message and exceptions). */
  public record Line(String logger, ch.qos.logback.classic.Level level, String text) {}

  /** Every event so far. */
  public List<Line> lines() {
    return List.copyOf(appender.list).stream()
        .map(e -> new Line(e.getLoggerName(), e.getLevel(), e.getFormattedMessage() + throwable(e.getThrowableProxy())))
        .toList();
  }

  /** How many events were logged at exactly {@code level}. */
  public long count(ch.qos.logback.classic.Level level) {
    return List.copyOf(appender.list).stream().filter(e -> e.getLevel() == level).count();
  }

  private static String throwable(IThrowableProxy t) {
    StringBuilder b = new StringBuilder();
    while (t != null) {
      b.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
      t = t.getCause();
    }
    return b.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
  }
}
