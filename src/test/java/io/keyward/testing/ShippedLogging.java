package io.keyward.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * While open, this JVM logs with the configuration the jar ships ({@code src/main/resources/logback.xml})
 * and its root logger at the level given, as an operator turned up for a diagnosis would; nothing reaches
 * the console (a {@link LogCapture} opened afterwards sees everything). Closing restores the tests'
 * configuration.
 */
public final class ShippedLogging implements AutoCloseable {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  private ShippedLogging(Level root) throws Exception {
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());
    var logger = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logger.setLevel(root);
    logger.detachAndStopAllAppenders();
  }

  public static ShippedLogging withRootAt(Level root) throws Exception {
    return new ShippedLogging(root);
  }

  @Override
  public void close() throws Exception {
    context.reset();
    new ContextInitializer(context).autoConfig();
  }
}
