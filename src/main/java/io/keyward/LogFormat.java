package io.keyward;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format}: the shipped logback.xml writes text lines; {@code json} writes one JSON
 * object a line instead, for log pipelines: {@code time} (RFC 3339), {@code level}, {@code logger},
 * {@code thread}, {@code message}, {@code namespace} and {@code name} of the connector a line is
 * about (from the reconcile's logging context), and {@code error} with the stack trace. The
 * messages are the same as in text, so the same secret hygiene holds (the leak tests read both).
 */
public enum LogFormat {
  text,
  json;

  /** Switches every console appender of the root logger to this format. */
  public void apply() {
    if (this == text || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext();) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) {
        JsonLines encoder = new JsonLines();
        encoder.setContext(context);
        encoder.start();
        out.stop();
        out.setEncoder(encoder);
        out.start();
      }
    }
  }

  /** One JSON object per event, newline-terminated. */
  public static final class JsonLines extends EncoderBase<ILoggingEvent> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] encode(ILoggingEvent event) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      line.put("level", event.getLevel().toString());
      line.put("logger", event.getLoggerName());
      line.put("thread", event.getThreadName());
      line.put("message", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        String namespace = mdc.get("resource.namespace");
        String name = mdc.get("resource.name");
        if (name != null) {
          line.put("namespace", namespace);
          line.put("name", name);
        }
      }
      if (event.getThrowableProxy() != null) {
        line.put("error", ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
      try {
        return (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return ("{\"level\":\"ERROR\",\"message\":\"a log line could not be written as JSON\"}\n")
            .getBytes(StandardCharsets.UTF_8);
      }
    }

    @Override
    public byte[] headerBytes() {
      return NONE;
    }

    @Override
    public byte[] footerBytes() {
      return NONE;
    }
  }
}
