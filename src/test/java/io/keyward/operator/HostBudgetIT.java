package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.credential.http.EgressPolicy;
import io.keyward.credential.http.HttpLimits;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.FaultCase;
import io.keyward.testing.TokenServer.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * One provider host, many connectors (DESIGN §9, issue #15): a 429 with Retry-After pauses the host
 * for every connector, not only for the one that got it; afterwards the host sees at most its
 * budget's rate, the soonest-expiring credentials are refreshed first, and every connector ends
 * with a new credential. Times are taken where the provider sees the requests.
 */
class HostBudgetIT extends OperatorHarness {
  static final int CONNECTORS = 200;
  static final double RATE = 20;
  static final int BURST = 5;
  static final int IN_FLIGHT = 4;
  static final Duration PAUSE = Duration.ofSeconds(5);

  record Seen(long nanos, int connector) {}

  @Test
  @FaultCase("host-429-pause-200-connectors")
  void a429PausesTheHostForAllThenTheRateHoldsAndTheSoonestExpiringGoFirst() throws Exception {
    operator.close();
    operator = startOperator(testSettings(), new HttpSender(HttpLimits.defaults().withMaxCallsPerHost(IN_FLIGHT)
        .withHostRate(RATE, BURST), Loopback.only()));
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    // connector i's first token expires in 3600 s + 7 s × order[i]: an order unrelated to the names
    List<Integer> order = new ArrayList<>(IntStream.range(0, CONNECTORS).boxed().toList());
    Collections.shuffle(order, new Random(15));
    AtomicBoolean secondRound = new AtomicBoolean();
    AtomicBoolean throttled = new AtomicBoolean();
    List<Seen> seen = new CopyOnWriteArrayList<>();
    tokens.override(r -> {
      int i = Integer.parseInt(r.form().get("scope").substring("c".length()));
      if (!secondRound.get()) {
        return Response.json(200, "{\"access_token\":\"first-" + i + "\",\"token_type\":\"Bearer\",\"expires_in\":"
            + (3600 + 7 * order.get(i)) + "}");
      }
      seen.add(new Seen(System.nanoTime(), i));
      if (throttled.compareAndSet(false, true)) {
        return new Response(429, "application/json", "{\"error\":\"slow_down\"}".getBytes(),
            Map.of("Retry-After", String.valueOf(PAUSE.toSeconds())));
      }
      return Response.json(200, "{\"access_token\":\"second-" + i + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
    });
    for (int i = 0; i < CONNECTORS; i++) {
      var c = oauth2("c" + i);
      c.getSpec().auth.oauth2.scopes = List.of("c" + i);
      create(c);
    }
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .conditionEvaluationListener(c -> System.out.println("HostBudgetIT: first tokens " + issued("first-")))
        .until(() -> issued("first-") == CONNECTORS);

    // every connector asks for a new credential at once; the first request is answered 429
    secondRound.set(true);
    long asking = System.nanoTime();
    var editors = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      var edits = IntStream.range(0, CONNECTORS).mapToObj(i -> editors.submit(
          () -> requestRefresh("c" + i, "2026-12-02T00:00:00Z"))).toList();
      for (var e : edits) {
        e.get();
      }
    } finally {
      editors.shutdownNow();
    }
    System.out.printf("HostBudgetIT: %d refresh requests made in %d ms%n", CONNECTORS,
        (System.nanoTime() - asking) / 1_000_000);
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
        .until(() -> issued("second-") == CONNECTORS);

    List<Seen> requests = List.copyOf(seen);
    long pausedAt = requests.get(0).nanos();
    // only calls on their way before Keyward read the 429 reach the host during the pause: the others in flight,
    // and on a loaded machine those let through by a call that ended while the 429 was still being read (at most
    // one more round of the calls in flight); none once it was read, and every other one waits the pause out
    List<Seen> duringPause = requests.subList(1, requests.size()).stream()
        .filter(s -> s.nanos() - pausedAt < PAUSE.toNanos()).toList();
    assertThat(duringPause).as("requests during the pause").hasSizeLessThanOrEqualTo(2 * IN_FLIGHT - 1)
        .allSatisfy(s -> assertThat(Duration.ofNanos(s.nanos() - pausedAt)).as("sent before the 429 was read")
            .isLessThan(Duration.ofSeconds(2)));
    // at most the budget's rate: a burst, then RATE per second (arrivals can bunch by the calls in flight)
    for (int a = 1; a < requests.size(); a++) {
      for (int b = a; b < requests.size(); b++) {
        double seconds = (requests.get(b).nanos() - requests.get(a).nanos()) / 1e9;
        assertThat(b - a + 1).as("requests within %.2f s", seconds).isLessThanOrEqualTo(
            (int) (BURST + RATE * seconds) + IN_FLIGHT);
      }
    }
    // the order follows expiry: count the pairs served against it, among the connectors served after the pause
    List<Integer> expiryRank = requests.subList(1, requests.size()).stream().map(s -> order.get(s.connector()))
        .distinct().toList();
    long inversions = 0;
    for (int a = 0; a < expiryRank.size(); a++) {
      for (int b = a + 1; b < expiryRank.size(); b++) {
        if (expiryRank.get(a) > expiryRank.get(b)) {
          inversions++;
        }
      }
    }
    long pairs = (long) expiryRank.size() * (expiryRank.size() - 1) / 2;
    System.out.printf("HostBudgetIT: %d requests after the 429, the last %d ms after it; %d of %d pairs out of"
        + " expiry order%n", requests.size() - 1, (requests.get(requests.size() - 1).nanos() - pausedAt) / 1_000_000,
        inversions, pairs);
    assertThat(inversions).as("pairs served against expiry order, of %d", pairs).isLessThanOrEqualTo(pairs / 20);
    for (int i = 0; i < CONNECTORS; i++) {
      assertThat(connector("c" + i).getStatus().condition("Ready").orElseThrow().status).isEqualTo("True");
    }
    assertThat(operator.scrape()).contains("keyward_provider_pauses_total{host=\"" + hostKey() + "\"} 1.0")
        .containsPattern("keyward_provider_waits_total\\{host=\"" + java.util.regex.Pattern.quote(hostKey())
            + "\",why=\"paused\"} [1-9]");
  }

  long issued(String prefix) {
    return IntStream.range(0, CONNECTORS).filter(i -> (prefix + i).equals(token(i))).count();
  }

  String token(int i) {
    Map<String, String> v = cluster.secretValues(NS, "c" + i + "-credentials");
    return v == null ? null : v.get("token");
  }

  String hostKey() {
    java.net.URI u = java.net.URI.create(tokens.tokenUrl());
    return "http://" + u.getHost() + ":" + u.getPort();
  }
}
