package io.keyward.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every request the API server answered, counted by client, verb and resource: {@code PUT secrets},
 * {@code PATCH apiconnectors/status}, {@code GET secrets} (one object by name), {@code LIST secrets},
 * {@code WATCH secrets}; an answer of 400 or more is counted apart ({@code PUT secrets 409}). The
 * benchmark's own clients send the user agent {@value #BENCH_AGENT}; every other request is the
 * operator's.
 */
final class RequestLog {
  static final String BENCH_AGENT = "keyward-bench";
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final LongAdder operatorTotal = new LongAdder();
  private final LongAdder dispatchNanos = new LongAdder();
  private volatile long lastOperatorRequest = System.nanoTime();

  /**
   * @param contentType a PATCH's kind of patch is part of its key ({@code PATCH apiconnectors/status (json-patch)})
   * @param nanos time spent in the mock's dispatcher (which holds one lock for every write)
   */
  void record(String method, String path, String userAgent, String contentType, int code, long nanos) {
    boolean bench = userAgent != null && userAgent.startsWith(BENCH_AGENT);
    String key = (bench ? "bench " : "operator ") + classify(method, path) + patchType(method, contentType)
        + (code >= 400 ? " " + code : "");
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    dispatchNanos.add(nanos);
    if (!bench) {
      operatorTotal.increment();
      lastOperatorRequest = System.nanoTime();
    }
  }

  private static String patchType(String method, String contentType) {
    if (!"PATCH".equals(method) || contentType == null) {
      return "";
    }
    String type = contentType.replaceAll(";.*", "").trim();
    return " (" + (type.startsWith("application/") ? type.substring("application/".length()) : type)
        .replace("+json", "") + ")";
  }

  /** Nanoseconds spent in the dispatcher so far, all clients. */
  long dispatchNanos() {
    return dispatchNanos.sum();
  }

  /** {@code VERB resource[/subresource]}, GETs split into GET (by name), LIST and WATCH. */
  static String classify(String method, String path) {
    int q = path.indexOf('?');
    String bare = q < 0 ? path : path.substring(0, q);
    String query = q < 0 ? "" : path.substring(q + 1);
    String[] s = bare.replaceAll("^/+|/+$", "").split("/");
    // /api/v1/... or /apis/<group>/<version>/...
    int i = s.length > 0 && "api".equals(s[0]) ? 2 : s.length > 0 && "apis".equals(s[0]) ? 3 : s.length;
    if (i < s.length && "namespaces".equals(s[i]) && s.length > i + 2) {
      i += 2; // a namespaced resource; "namespaces" itself (length i + 1 or i + 2) stays a resource
    }
    String resource = i < s.length ? s[i] : bare;
    boolean named = i + 1 < s.length;
    if (i + 2 < s.length) {
      resource += "/" + s[i + 2];
    }
    String verb = method;
    if ("GET".equals(method)) {
      verb = query.contains("watch=true") || query.contains("watch=1") ? "WATCH" : named ? "GET" : "LIST";
    }
    return verb + " " + resource;
  }

  /** The counts now, sorted by key. */
  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  long operatorTotal() {
    return operatorTotal.sum();
  }

  /** Nanoseconds ({@link System#nanoTime()}) of the operator's last request. */
  long lastOperatorRequest() {
    return lastOperatorRequest;
  }

  /** {@code after - before}, per key, the operator's only, without the zeros. */
  static Map<String, Long> operatorDelta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach((k, v) -> {
      long d = v - before.getOrDefault(k, 0L);
      if (d != 0 && k.startsWith("operator ")) {
        out.put(k.substring("operator ".length()), d);
      }
    });
    return out;
  }
}
