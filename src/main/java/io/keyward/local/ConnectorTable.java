package io.keyward.local;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.api.v1alpha1.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The live table of local mode, and {@code keyward status}'s against any cluster: what each
 * connector's status says, one row each.
 */
public final class ConnectorTable {
  static final String[] HEADER = {"NAME", "TYPE", "READY", "EXPIRES IN", "REFRESHES", "LAST ERROR"};
  private static final int MAX_ERROR = 70;

  record Row(String name, String type, String ready, String expiresIn, int refreshes, String lastError) {
    String[] cells() {
      return new String[] {name, type, ready, expiresIn, Integer.toString(refreshes), lastError};
    }

    /** The row without the ticking clock: what changed, for line output. */
    String state() {
      return name + " " + type + " " + ready + " " + refreshes + " " + lastError;
    }
  }

  private ConnectorTable() {}

  /**
   * @param refreshes how often each connector ({@code namespace/name}) was refreshed (successful issues after the first)
   */
  static List<Row> rows(List<ApiConnector> connectors, Map<String, Integer> refreshes, Instant now) {
    List<Row> rows = new ArrayList<>();
    for (ApiConnector c : connectors) {
      String name = c.getMetadata().getNamespace() + "/" + c.getMetadata().getName();
      ApiConnectorStatus s = c.getStatus();
      String type = s != null && s.authType != null ? s.authType : type(c);
      String ready = s == null ? "-" : s.condition("Ready").map(r -> r.status).orElse("-");
      rows.add(new Row(name, type, ready, expiresIn(s, now), refreshes.getOrDefault(name, 0), lastError(s)));
    }
    rows.sort(Comparator.comparing(Row::name));
    return rows;
  }

  /** {@code keyward status}: NAMESPACE (with several namespaces), NAME, TYPE, READY, EXPIRES IN, LAST ISSUE REASON, LAST ERROR. */
  public static String status(List<ApiConnector> connectors, Instant now, boolean withNamespace) {
    List<String[]> lines = new ArrayList<>();
    lines.add(withNamespace
        ? new String[] {"NAMESPACE", "NAME", "TYPE", "READY", "EXPIRES IN", "LAST ISSUE REASON", "LAST ERROR"}
        : new String[] {"NAME", "TYPE", "READY", "EXPIRES IN", "LAST ISSUE REASON", "LAST ERROR"});
    List<ApiConnector> sorted = new ArrayList<>(connectors);
    sorted.sort(Comparator.comparing((ApiConnector c) -> c.getMetadata().getNamespace())
        .thenComparing(c -> c.getMetadata().getName()));
    for (ApiConnector c : sorted) {
      ApiConnectorStatus s = c.getStatus();
      String type = s != null && s.authType != null ? s.authType : type(c);
      String ready = s == null ? "-" : s.condition("Ready").map(r -> r.status).orElse("-");
      String reason = s == null || s.lastIssueReason == null ? "-" : s.lastIssueReason;
      String[] row = {c.getMetadata().getName(), type, ready, expiresIn(s, now), reason, lastError(s)};
      if (withNamespace) {
        String[] wide = new String[row.length + 1];
        wide[0] = c.getMetadata().getNamespace();
        System.arraycopy(row, 0, wide, 1, row.length);
        row = wide;
      }
      lines.add(row);
    }
    return table(lines);
  }

  static String render(List<Row> rows) {
    List<String[]> lines = new ArrayList<>();
    lines.add(HEADER);
    rows.forEach(r -> lines.add(r.cells()));
    return table(lines);
  }

  private static String table(List<String[]> lines) {
    int columns = lines.get(0).length;
    int[] widths = new int[columns];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] line : lines) {
      StringBuilder l = new StringBuilder();
      for (int i = 0; i < line.length; i++) {
        l.append(i == line.length - 1 ? line[i] : pad(line[i], widths[i] + 3));
      }
      out.append(l.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private static String type(ApiConnector c) {
    try {
      return c.getSpec().auth.active().type();
    } catch (RuntimeException e) {
      return "-";
    }
  }

  private static String expiresIn(ApiConnectorStatus s, Instant now) {
    if (s == null || s.issuedAt == null) {
      return "-";
    }
    if (s.expiresAt == null) {
      return "never";
    }
    Duration d = Duration.between(now, Instant.parse(s.expiresAt));
    if (d.isNegative() || d.isZero()) {
      return "expired";
    }
    long seconds = d.toSeconds();
    return seconds < 120 ? seconds + "s" : seconds < 7200 ? d.toMinutes() + "m" : d.toHours() + "h";
  }

  private static String lastError(ApiConnectorStatus s) {
    if (s == null) {
      return "";
    }
    Condition failing = s.condition("Degraded").filter(c -> "True".equals(c.status))
        .or(() -> s.condition("Ready").filter(c -> "False".equals(c.status) && !"Pending".equals(c.reason)))
        .orElse(null);
    if (failing == null) {
      return "";
    }
    String text = failing.reason + (failing.message == null ? "" : ": " + failing.message);
    return text.length() > MAX_ERROR ? text.substring(0, MAX_ERROR - 1) + "…" : text;
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }
}
