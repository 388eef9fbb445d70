package io.keyward.local;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.keyward.api.v1alpha1.ApiConnector;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shows the connectors as the API server has them. On a terminal the table is redrawn in place;
 * otherwise a line is printed for each connector whose state changed.
 */
final class LiveView {
  private final KubernetesClient client;
  private final PrintStream out;
  private final boolean terminal;
  private final Clock clock;
  private final String banner;
  private final Map<String, String> printed = new HashMap<>();
  private final java.util.function.Supplier<Map<String, Integer>> refreshes;

  /** @param refreshes how often each connector ({@code namespace/name}) was refreshed, from the operator's metrics */
  LiveView(KubernetesClient client, java.util.function.Supplier<Map<String, Integer>> refreshes, PrintStream out,
      boolean terminal, Clock clock, String banner) {
    this.client = client;
    this.refreshes = refreshes;
    this.out = out;
    this.terminal = terminal;
    this.clock = clock;
    this.banner = banner;
  }

  List<ConnectorTable.Row> snapshot() {
    List<ApiConnector> connectors = client.resources(ApiConnector.class).inAnyNamespace().list().getItems();
    return ConnectorTable.rows(connectors, refreshes.get(), clock.instant());
  }

  /** Draws once. */
  void draw() {
    List<ConnectorTable.Row> rows = snapshot();
    if (terminal) {
      out.print("\033[H\033[2J");
      out.print(banner);
      out.print(rows.isEmpty() ? "No ApiConnectors yet: kubectl apply one.\n" : ConnectorTable.render(rows));
      out.flush();
      return;
    }
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    for (ConnectorTable.Row row : rows) {
      if (!row.state().equals(printed.put(row.name(), row.state()))) {
        out.println(now + "  " + row.name() + "  type=" + row.type() + "  ready=" + row.ready() + "  expiresIn="
            + row.expiresIn() + "  refreshes=" + row.refreshes()
            + (row.lastError().isEmpty() ? "" : "  lastError=\"" + row.lastError() + "\""));
      }
    }
    out.flush();
  }
}
