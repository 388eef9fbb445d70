package io.keyward.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyward.api.v1alpha1.ApiConnector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A search for secret values wherever a user or an operator of the cluster can read: the log (one
 * haystack per logger and level, so that a finding names its logger), Events, the connectors with
 * their status, and {@code /metrics}. Each value is looked for in plain text and as the base64 in
 * which a Secret's {@code data} holds it; a finding describes the value without repeating it.
 */
public final class SecretSweep {
  private static final Set<String> PRIVATE_JWK_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "k");
  private static final Set<String> CREDENTIAL_KEYS = Set.of("token", "header-value", "query-value");
  private final Map<String, String> plain = new LinkedHashMap<>();
  private final List<Secret> secrets = new ArrayList<>();

  /** Look for {@code value}; {@code what} says what it is. */
  public SecretSweep forbid(String value, String what) {
    if (value != null && value.length() >= 8) { // nothing short enough to match by chance
      plain.putIfAbsent(value, what);
    }
    return this;
  }

  /**
   * Look for the values of the Secrets in {@code namespace}: all of a user's Secret (each line of a
   * PEM body and each private JWK member too; certificates aside), and of Keyward's the credential
   * and the issuer state. The base64 of each {@code data} entry holding one is looked for as well.
   */
  public SecretSweep secretsOf(KubernetesClient client, String namespace) throws Exception {
    for (Secret s : client.secrets().inNamespace(namespace).list().getItems()) {
      secrets.add(s);
      String name = s.getMetadata().getName();
      var labels = s.getMetadata().getLabels();
      boolean keywards = labels != null && "keyward".equals(labels.get("app.kubernetes.io/managed-by"));
      for (Map.Entry<String, String> e : s.getData().entrySet()) {
        String key = e.getKey();
        String value = decode(e.getValue());
        String where = " in Secret " + namespace + "/" + name + " (" + key + ")";
        if (keywards && (CREDENTIAL_KEYS.contains(key) || key.startsWith("state."))) {
          forbid(value, "the credential or issuer state" + where);
        }
        if (!keywards && !key.endsWith(".crt")) {
          forbid(value, "the value" + where);
          for (String line : value.replace("\\n", "\n").split("\n")) {
            if (line.length() >= 40 && !line.startsWith("-----")) {
              forbid(line, "private key material" + where);
            }
          }
        }
        if (value.startsWith("{") || value.startsWith("[")) {
          privateMembers(Serialization.jsonMapper().readTree(value)).forEach(m -> forbid(m, "a private key member" + where));
        }
      }
    }
    return this;
  }

  /** Every value looked for, with what it is. */
  public Map<String, String> forbidden() {
    Map<String, String> all = new LinkedHashMap<>(plain);
    for (Secret s : secrets) {
      for (Map.Entry<String, String> e : s.getData().entrySet()) {
        String value = decode(e.getValue());
        if (plain.keySet().stream().anyMatch(value::contains)) {
          all.put(e.getValue(), "the base64 data of " + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()
              + " (" + e.getKey() + ")");
        }
      }
    }
    return all;
  }

  /** Where each value looked for occurs in {@code haystacks}. */
  public List<String> findings(Map<String, String> haystacks) {
    List<String> found = new ArrayList<>();
    Map<String, String> forbidden = forbidden();
    haystacks.forEach((where, text) -> forbidden.forEach((value, what) -> {
      int at = text.indexOf(value);
      if (at >= 0) {
        found.add(what + " in " + where + " at offset " + at);
      }
    }));
    return found;
  }

  /** The log, every Event, every ApiConnector (status included) and the body of {@code metricsUrl}. */
  public static Map<String, String> haystacks(LogCapture logs, KubernetesClient client, String metricsUrl)
      throws Exception {
    Map<String, String> where = new LinkedHashMap<>();
    for (LogCapture.Line line : logs.lines()) {
      where.merge("the log (" + line.logger() + " at " + line.level() + ")", line.text(), (a, b) -> a + "\n" + b);
    }
    StringBuilder events = new StringBuilder();
    for (Event e : client.v1().events().inAnyNamespace().list().getItems()) {
      events.append(Serialization.asJson(e)).append('\n');
    }
    where.put("Events", events.toString());
    StringBuilder connectors = new StringBuilder();
    for (ApiConnector c : client.resources(ApiConnector.class).inAnyNamespace().list().getItems()) {
      connectors.append(Serialization.asJson(c)).append('\n');
    }
    where.put("the connectors and their status", connectors.toString());
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (metrics.statusCode() != 200 || !metrics.body().contains("keyward_")) {
      throw new IllegalStateException("no metrics at " + metricsUrl + ": HTTP " + metrics.statusCode());
    }
    where.put("/metrics", metrics.body());
    return where;
  }

  /** Values of JSON members that are private key material (JWK d, p, q, dp, dq, qi, k), at any depth. */
  public static List<String> privateMembers(JsonNode node) {
    List<String> found = new ArrayList<>();
    if (node.isObject()) {
      node.fields().forEachRemaining(f -> {
        if (PRIVATE_JWK_MEMBERS.contains(f.getKey()) && f.getValue().isTextual()) {
          found.add(f.getValue().asText());
        } else {
          found.addAll(privateMembers(f.getValue()));
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> found.addAll(privateMembers(n)));
    } else if (node.isTextual() && (node.asText().startsWith("{") || node.asText().startsWith("["))) {
      try {
        found.addAll(privateMembers(Serialization.jsonMapper().readTree(node.asText())));
      } catch (Exception e) {
        // text, not JSON
      }
    }
    return found;
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
