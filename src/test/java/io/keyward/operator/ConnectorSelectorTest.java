package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --connector-selector}: the API server's label selector grammar, and its meaning for a connector's labels. */
class ConnectorSelectorTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "keyward.io/shard=a                      | keyward.io/shard=a",
      "keyward.io/shard == a                   | keyward.io/shard=a",
      " keyward.io/shard!=b                    | keyward.io/shard!=b",
      "keyward.io/shard in (a, b)              | keyward.io/shard in (a,b)",
      "keyward.io/shard notin (b,c),tier=gold  | keyward.io/shard notin (b,c),tier=gold",
      "!keyward.io/shard                       | !keyward.io/shard",
      "keyward.io/shard                        | keyward.io/shard",
      "team=payments , env!=dev                | team=payments,env!=dev",
      "app.kubernetes.io/part-of=crm_v2.1      | app.kubernetes.io/part-of=crm_v2.1",
      "keyward.io/shard=                       | keyward.io/shard="})
  void acceptsEqualityAndSetBasedRequirementsAndSendsThemWithoutSpaces(String written, String sent) {
    assertThat(ConnectorSelector.parse(written)).hasToString(sent);
    assertThat(ConnectorSelector.parse(sent)).as("the form sent reads back the same").isEqualTo(ConnectorSelector.parse(written));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "keyward.io/shard=a b           | expected ',' or the end after 'keyward.io/shard=a', found 'b'",
      "keyward.io/shard=a,            | a requirement is missing after the last ','",
      "keyward.io/shard>1             | expected '=', '==', '!=', 'in' or 'notin' after the key 'keyward.io/shard', found '>1'",
      "keyward.io/shard is a          | expected '=', '==', '!=', 'in' or 'notin' after the key 'keyward.io/shard', found 'is'",
      "keyward.io/shard in a          | 'in' needs a list of values in parentheses, e.g. keyward.io/shard in (a,b)",
      "keyward.io/shard in (a,b       | the list of values after 'keyward.io/shard in' is not closed with ')'",
      "keyward.io/shard notin ()      | 'keyward.io/shard notin' needs at least one value",
      "Keyward.IO/shard=a             | its prefix 'Keyward.IO' is not a DNS subdomain",
      "keyward.io/-shard=a            | 'keyward.io/-shard' is not a label key",
      "keyward.io/shard=a/b           | 'a/b' is not a label value",
      "keyward.io/shard=-a            | '-a' is not a label value",
      "=a                             | expected a label key, found '=a'"})
  void refusesWhatTheApiServerWouldRefuseSayingWhere(String selector, String problem) {
    assertThatThrownBy(() -> ConnectorSelector.parse(selector))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("at character ")
        .hasMessageContaining(problem);
  }

  @Test
  void refusesAnEmptySelectorRatherThanMatchEveryConnector() {
    // an unset variable in `--connector-selector $SHARD` must not make a shard take every other shard's connectors
    assertThatThrownBy(() -> ConnectorSelector.parse("  ")).hasMessageContaining("would match every connector");
  }

  @Test
  void refusesLongNamesAndValues() {
    String name63 = "a".repeat(63);
    assertThat(ConnectorSelector.parse("keyward.io/" + name63 + "=" + name63)).isNotNull();
    assertThatThrownBy(() -> ConnectorSelector.parse("keyward.io/" + name63 + "b=a")).hasMessageContaining("is not a label key");
    assertThatThrownBy(() -> ConnectorSelector.parse("k=" + name63 + "b")).hasMessageContaining("is not a label value");
  }

  @Test
  void aCatchAllWithNotEqualsOrNotInAlsoTakesUnlabelledConnectors() {
    Map<String, String> unlabelled = Map.of();
    Map<String, String> a = Map.of("keyward.io/shard", "a");
    Map<String, String> b = Map.of("keyward.io/shard", "b");
    var shardB = ConnectorSelector.parse("keyward.io/shard=b");
    var catchAll = ConnectorSelector.parse("keyward.io/shard!=b");
    assertThat(shardB.matches(b)).isTrue();
    assertThat(shardB.matches(a)).isFalse();
    assertThat(shardB.matches(unlabelled)).isFalse();
    // complementary selectors: every connector has exactly one shard
    for (var labels : java.util.List.of(unlabelled, a, b)) {
      assertThat(shardB.matches(labels) ^ catchAll.matches(labels)).as("%s in exactly one shard", labels).isTrue();
    }
    var notIn = ConnectorSelector.parse("keyward.io/shard notin (b,c)");
    assertThat(notIn.matches(unlabelled)).isTrue();
    assertThat(notIn.matches(a)).isTrue();
    assertThat(notIn.matches(b)).isFalse();
    assertThat(ConnectorSelector.parse("!keyward.io/shard").matches(unlabelled)).isTrue();
    assertThat(ConnectorSelector.parse("!keyward.io/shard").matches(a)).isFalse();
    assertThat(ConnectorSelector.parse("keyward.io/shard in (a,b)").matches(b)).isTrue();
    assertThat(ConnectorSelector.parse("keyward.io/shard,tier=gold").matches(a)).as("every requirement").isFalse();
  }
}
