package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The logging configuration the jar ships never lets Fabric8's HTTP logger print a request, nor local
 * mode's embedded API server the objects it stores.
 */
class ShippedLoggingTest {
  @Test
  void fabric8sHttpLoggerStaysBelowTraceEvenWhenTheRootLoggerIsTurnedUp() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.TRACE);

    Logger http = context.getLogger("io.fabric8.kubernetes.client.http.HttpLoggingInterceptor");
    assertThat(http.isTraceEnabled()).as("Fabric8 logs whole Secrets at TRACE").isFalse();
    assertThat(http.isDebugEnabled()).isFalse();
    Logger embedded = context.getLogger("io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher");
    assertThat(embedded.isDebugEnabled()).as("local mode's embedded API server logs whole Secrets at DEBUG").isFalse();
    for (String jetty : java.util.List.of("org.eclipse.jetty.client.transport.HttpSender",
        "org.eclipse.jetty.http.HttpGenerator", "org.eclipse.jetty.client.HttpClient")) {
      assertThat(context.getLogger(jetty).isDebugEnabled()).as(jetty + " logs request headers (client credentials) at DEBUG")
          .isFalse();
    }
    assertThat(context.getLogger("io.keyward.operator").isTraceEnabled()).as("the rest follows the root").isTrue();
    context.stop();
  }
}
