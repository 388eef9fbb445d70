package io.keyward.local;

import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.http.HttpSender;
import io.keyward.operator.KeywardOperator;
import io.keyward.operator.OperatorHttpServer;
import io.keyward.operator.OperatorSettings;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.List;

/**
 * {@code keyward local}: the embedded API server, the demo provider, the same operator as
 * {@code keyward run}, and the manifests applied.
 */
public final class LocalMode implements AutoCloseable {
  /** Refusals the banner lists; the rest are counted. */
  static final int MAX_REFUSALS_SHOWN = 20;
  /**
   * @param manifests files or directories to apply
   * @param apiPort the embedded API server's port (0: any free port)
   * @param providerPort the demo provider's port (0: any free port)
   * @param kubeconfig where to write the kubeconfig
   * @param tokenLifetime lifetime of the demo provider's access tokens
   * @param admission what judges each ApiConnector written to the embedded API server
   */
  public record Options(List<Path> manifests, int apiPort, int providerPort, Path kubeconfig, Duration tokenLifetime,
      Clock clock, LocalAdmission admission) {
    /** Judging every ApiConnector by the CRD's schema and rules, as a cluster does. */
    public Options(List<Path> manifests, int apiPort, int providerPort, Path kubeconfig, Duration tokenLifetime,
        Clock clock) {
      this(manifests, apiPort, providerPort, kubeconfig, tokenLifetime, clock, LocalAdmission.bySchema());
    }
  }

  private final LocalApiServer api;
  private final DemoProvider provider;
  private final KeywardOperator operator;
  private final OperatorHttpServer http;
  private final Path kubeconfig;
  private final List<Path> manifests;
  private Manifests.Report report = Manifests.Report.empty();

  public LocalMode(Options options) {
    manifests = List.copyOf(options.manifests());
    LocalApiServer.requireFree(options.providerPort(), "--provider-port");
    api = new LocalApiServer(options.apiPort(), options.admission());
    DemoProvider started = null;
    KeywardOperator running = null;
    OperatorHttpServer serving = null;
    try {
      started = new DemoProvider(options.providerPort(), options.clock(), options.tokenLifetime());
      kubeconfig = api.writeKubeconfig(options.kubeconfig());
      // applied before the operator starts, as to a cluster the operator is installed in: the
      // writes do not compete with a thousand first reconciles, and the operator's first list
      // finds them all
      report = Manifests.apply(api.client(), Manifests.read(options.manifests()));
      var settings = OperatorSettings.defaults().withClock(options.clock());
      running = new KeywardOperator(api.client(), CredentialIssuers.standard(HttpSender.local()), settings);
      running.start();
      serving = OperatorHttpServer.start(running, 0);
      started.trustClientJwks(URI.create("http://127.0.0.1:" + serving.port() + "/jwks/" + DemoProvider.JWT_CLIENT));
    } catch (RuntimeException | java.io.IOException e) {
      // leave nothing running behind a failed start (a bad manifest, a port in use)
      if (serving != null) {
        serving.close();
      }
      if (running != null) {
        running.close();
      }
      if (started != null) {
        started.close();
      }
      api.close();
      if (e instanceof java.io.IOException io) {
        throw new LocalModeException("could not open the operator's HTTP port: " + io.getMessage());
      }
      throw (RuntimeException) e;
    }
    provider = started;
    operator = running;
    http = serving;
  }

  public LocalApiServer api() {
    return api;
  }

  public DemoProvider provider() {
    return provider;
  }

  /** The port of the operator's HTTP endpoints. */
  public int httpPort() {
    return http.port();
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** How many documents of the manifests were applied. */
  public int applied() {
    return report.applied();
  }

  /** How long applying the manifests took. */
  public Duration applyTime() {
    return report.took();
  }

  /**
   * Each document that was not applied, one line per problem: {@code file:document: Kind
   * namespace/name: field: message} (for unreadable YAML the line and column, never the content).
   */
  public List<String> refusals() {
    return report.lines();
  }

  /** The banner, listing at most {@link #MAX_REFUSALS_SHOWN} refused documents. */
  public String banner() {
    return banner(MAX_REFUSALS_SHOWN);
  }

  /** The banner, listing at most {@code maxRefusals} refused documents (the rest are counted). */
  public String banner(int maxRefusals) {
    return """
        Keyward local mode
          API server      %s
          kubeconfig      %s
          demo provider   %s  (token endpoint /oauth2/token, JWKS /jwks, echo /echo; trusts JWTs of %s)
          operator        http://127.0.0.1:%d  (/metrics, /readyz, /jwks/<namespace>/<name>)
          manifests       %s
          try             kubectl --kubeconfig %s get apiconnectors -A
        %s
        """.formatted(api.url(), kubeconfig, provider.baseUrl(), DemoProvider.JWT_CLIENT, http.port(), applySummary(),
        kubeconfig, refusalList(maxRefusals));
  }

  private String applySummary() {
    String from = manifests.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", "));
    int refused = report.refused().size();
    return report.applied() + " applied from " + (from.isEmpty() ? "nothing" : from)
        + (refused == 0 ? "" : ", " + refused + " refused (below; fix and kubectl apply them)");
  }

  private String refusalList(int max) {
    List<String> lines = report.lines();
    StringBuilder out = new StringBuilder();
    int shown = Math.min(lines.size(), max);
    for (String line : lines.subList(0, shown)) {
      out.append("  refused         ").append(line).append('\n');
    }
    if (lines.size() > shown) {
      out.append("  refused         ... and ").append(lines.size() - shown).append(" more\n");
    }
    return out.toString();
  }

  /** How often each connector ({@code namespace/name}) was refreshed since local mode started (the live table's column). */
  public java.util.Map<String, Integer> refreshes() {
    return operator.refreshes();
  }

  /**
   * Shows the live table every second until {@code stop} is released or {@code exitAfter} has
   * passed ({@code null}: no limit).
   */
  public void show(PrintStream out, boolean terminal, Clock clock, Duration exitAfter, CountDownLatch stop)
      throws InterruptedException {
    if (!terminal) {
      out.print(banner(Integer.MAX_VALUE)); // printed once: every refusal
    }
    LiveView view = new LiveView(api.client(), this::refreshes, out, terminal, clock, banner());
    Instant deadline = exitAfter == null ? null : clock.instant().plus(exitAfter);
    while (!stop.await(1, TimeUnit.SECONDS)) {
      view.draw();
      if (deadline != null && !clock.instant().isBefore(deadline)) {
        return;
      }
    }
  }

  @Override
  public void close() {
    http.close();
    operator.close();
    provider.close();
    api.close();
  }
}
