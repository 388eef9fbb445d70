package io.keyward.local;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Keeps local mode's screen for the table: only warnings are logged unless --verbose. */
public final class Logging {
  private Logging() {}

  public static void quiet() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.ERROR);
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
    for (var handler : java.util.logging.Logger.getLogger("").getHandlers()) {
      handler.setLevel(java.util.logging.Level.SEVERE);
    }
  }
}
