package io.keyward.testing;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A fault of the API server, for {@link MockCluster#intercept}: the writes it matches are answered
 * with an error {@code Status} (the rest reach the stored objects) until {@link #heal()}, or for the
 * first {@code n} only. It records when each matched write was refused.
 */
public final class ApiFault implements Function<RecordedRequest, MockResponse> {
  private static final Map<Integer, String> REASONS = Map.of(409, "Conflict", 500, "InternalError",
      503, "ServiceUnavailable", 504, "Timeout");
  private final String what;
  private final Predicate<RecordedRequest> matches;
  private final int code;
  private final int times;
  private final AtomicInteger matched = new AtomicInteger();
  private final List<Instant> refused = new CopyOnWriteArrayList<>();
  private volatile boolean healed;

  private ApiFault(String what, Predicate<RecordedRequest> matches, int code, int times) {
    this.what = what;
    this.matches = matches;
    this.code = code;
    this.times = times;
  }

  /** Every create, update, patch or delete of this Secret is answered with {@code code}. */
  public static ApiFault secretWrites(String namespace, String name, int code) {
    String collection = "/api/v1/namespaces/" + namespace + "/secrets";
    return new ApiFault("writes of Secret " + namespace + "/" + name, r -> !"GET".equals(r.getMethod())
        && (path(r).equals(collection + "/" + name)
            || path(r).equals(collection) && "POST".equals(r.getMethod()) && name.equals(createdName(r))), code,
        Integer.MAX_VALUE);
  }

  /** Every write of this ApiConnector's status subresource is answered with {@code code}. */
  public static ApiFault statusWrites(String namespace, String connector, int code) {
    String status = "/apis/keyward.io/v1alpha1/namespaces/" + namespace + "/apiconnectors/" + connector + "/status";
    return new ApiFault("status writes of ApiConnector " + namespace + "/" + connector,
        r -> !"GET".equals(r.getMethod()) && path(r).equals(status), code, Integer.MAX_VALUE);
  }

  /** The same fault for the first {@code n} matching writes only; the later ones go through. */
  public ApiFault first(int n) {
    return new ApiFault(what, matches, code, n);
  }

  @Override
  public MockResponse apply(RecordedRequest request) {
    if (healed || !matches.test(request) || matched.incrementAndGet() > times) {
      return null;
    }
    refused.add(Instant.now());
    return new MockResponse().setResponseCode(code).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
        + "\"status\":\"Failure\",\"reason\":\"" + REASONS.getOrDefault(code, "InternalError") + "\",\"code\":" + code
        + ",\"message\":\"injected by the test: " + what + "\"}");
  }

  /** From now on every write goes through. */
  public void heal() {
    healed = true;
  }

  /** How many writes were refused so far. */
  public int refusals() {
    return refused.size();
  }

  /** When each refused write arrived, in order. */
  public List<Instant> refusedAt() {
    return List.copyOf(refused);
  }

  private static String path(RecordedRequest r) {
    String p = r.getPath();
    int q = p.indexOf('?');
    return q < 0 ? p : p.substring(0, q);
  }

  private static String createdName(RecordedRequest r) {
    try {
      var body = Serialization.jsonMapper().readTree(new String(r.getBody().getBytes(), StandardCharsets.UTF_8));
      return body.path("metadata").path("name").asText(null);
    } catch (Exception e) {
      return null;
    }
  }
}
