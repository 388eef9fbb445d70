package io.keyward.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.api.v1alpha1.AuthSpec;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live table and the line output say what the statuses say. */
class ConnectorTableTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

  static ApiConnector connector(String name, String type, ApiConnectorStatus status) {
    ApiConnector c = new ApiConnector();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("demo").build());
    c.setSpec(new ApiConnectorSpec());
    c.getSpec().auth = new AuthSpec();
    if (type.equals("oauth2")) {
      c.getSpec().auth.oauth2 = new OAuth2Auth();
    } else {
      c.getSpec().auth.apiKey = new ApiKeyAuth();
    }
    c.setStatus(status);
    return c;
  }

  static ApiConnectorStatus status(String type, String expiresAt, Condition... conditions) {
    ApiConnectorStatus s = new ApiConnectorStatus();
    s.authType = type;
    s.issuedAt = "2026-03-01T09:59:00Z";
    s.expiresAt = expiresAt;
    s.conditions = List.of(conditions);
    return s;
  }

  static final List<ApiConnector> CONNECTORS = List.of(
      connector("crm", "oauth2", status("oauth2", "2026-03-01T10:00:42Z",
          new Condition("Ready", "True", "CredentialIssued", ""),
          new Condition("Degraded", "True", "TokenEndpointUnavailable", "token endpoint answered HTTP 503")))
      , connector("erp", "apiKey", status("apiKey", null,
          new Condition("Ready", "True", "CredentialIssued", ""), new Condition("Degraded", "False", "RefreshSucceeded", "")))
      , connector("new", "apiKey", null)
      , connector("broken", "oauth2", status("oauth2", null,
          new Condition("Ready", "False", "SecretNotFound", "Secret demo/crm-oauth (key client-secret) does not exist"))));

  @Test
  void rowsShowWhatTheStatusSays() {
    var rows = ConnectorTable.rows(CONNECTORS, Map.of("demo/crm", 3), NOW);

    assertThat(rows).extracting(ConnectorTable.Row::name)
        .containsExactly("demo/broken", "demo/crm", "demo/erp", "demo/new");
    assertThat(rows.get(1)).isEqualTo(new ConnectorTable.Row("demo/crm", "oauth2", "True", "42s", 3,
        "TokenEndpointUnavailable: token endpoint answered HTTP 503"));
    assertThat(rows.get(2)).isEqualTo(new ConnectorTable.Row("demo/erp", "apiKey", "True", "never", 0, ""));
    assertThat(rows.get(3)).isEqualTo(new ConnectorTable.Row("demo/new", "apiKey", "-", "-", 0, ""));
    assertThat(rows.get(0).ready()).isEqualTo("False");
    assertThat(rows.get(0).lastError()).startsWith("SecretNotFound: Secret demo/crm-oauth").endsWith("…");
  }

  @Test
  void renderedTableHasAlignedColumns() {
    String table = ConnectorTable.render(ConnectorTable.rows(CONNECTORS, Map.of(), NOW));
    List<String> lines = table.lines().toList();

    assertThat(lines.get(0)).startsWith("NAME").contains("TYPE").contains("READY").contains("EXPIRES IN")
        .contains("REFRESHES").contains("LAST ERROR");
    int typeColumn = lines.get(0).indexOf("TYPE");
    assertThat(lines.subList(1, lines.size())).allSatisfy(l -> assertThat(l.substring(typeColumn)).matches("^(oauth2|apiKey).*"));
    assertThat(lines).hasSize(5);
  }

  @Test
  void expiredCredentialsSayExpired() {
    var rows = ConnectorTable.rows(CONNECTORS, Map.of(), Instant.parse("2026-03-01T10:05:00Z"));
    assertThat(rows.get(1).expiresIn()).isEqualTo("expired");
  }
}
