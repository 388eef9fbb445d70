package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyward.LogFormat;
import io.keyward.testing.TokenServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format json} (issue #20): the operator's log lines as a log pipeline reads them, one
 * JSON object a line, parsed back: the fields are there, the lines about a connector name it (also
 * those written on the issuance threads), and no secret value appears in any of them.
 */
class JsonLogsIT extends OperatorHarness {
  final ByteArrayOutputStream written = new ByteArrayOutputStream();
  final OutputStreamAppender<ILoggingEvent> json = new OutputStreamAppender<>();
  final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void writeJsonLines() {
    LogFormat.JsonLines encoder = new LogFormat.JsonLines();
    encoder.setContext(root.getLoggerContext());
    encoder.start();
    json.setContext(root.getLoggerContext());
    json.setEncoder(encoder);
    json.setOutputStream(written);
    json.start();
    root.addAppender(json);
  }

  @AfterEach
  void stopJsonLines() {
    root.detachAppender(json);
    json.stop();
  }

  List<JsonNode> lines() throws Exception {
    List<JsonNode> parsed = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    for (String line : written.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        parsed.add(mapper.readTree(line)); // throws on a line that is not one JSON object
      }
    }
    return parsed;
  }

  @Test
  void everyLineIsOneJsonObjectAndTheLinesAboutAConnectorNameItWithoutASecret() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    tokens.override(r -> calls.incrementAndGet() == 1 ? TokenServer.Response.json(503, "{}") : null);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    secretValues.add(TokenServer.token(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> written.toString(StandardCharsets.UTF_8).contains("Recovered")
        || !lines().isEmpty());

    List<JsonNode> lines = lines();
    assertThat(lines).isNotEmpty().allSatisfy(l -> {
      assertThat(l.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      assertThat(l.path("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
      assertThat(l.path("logger").asText()).isNotEmpty();
      assertThat(l.has("message")).isTrue();
    });
    // the failed first attempt is logged as a warning about crm, with the connector as fields
    assertThat(lines).filteredOn(l -> l.path("logger").asText().startsWith("io.keyward.")
            && l.path("message").asText().contains("TokenEndpointUnavailable"))
        .isNotEmpty()
        .allSatisfy(l -> {
          assertThat(l.path("namespace").asText()).isEqualTo(NS);
          assertThat(l.path("name").asText()).isEqualTo("crm");
        });
    String all = written.toString(StandardCharsets.UTF_8);
    for (String secret : secretValues) {
      assertThat(all).as("a secret value in the JSON log").doesNotContain(secret);
    }
  }
}
