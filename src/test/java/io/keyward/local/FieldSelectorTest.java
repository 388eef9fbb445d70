package io.keyward.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldSelectorTest {
  final Map<String, String> event = Map.of("involvedObject.name", "crm", "involvedObject.kind", "ApiConnector",
      "reason", "a,b=c", "type", "Normal");

  boolean matches(String selector) {
    return FieldSelector.parse(selector).matches(f -> event.getOrDefault(f, ""));
  }

  @Test
  void termsAreAndedWithEqualDoubleEqualAndNotEqual() {
    assertThat(matches("involvedObject.name=crm")).isTrue();
    assertThat(matches("involvedObject.name==crm,involvedObject.kind=ApiConnector")).isTrue();
    assertThat(matches("involvedObject.name=crm,involvedObject.kind=Secret")).isFalse();
    assertThat(matches("type!=Warning")).isTrue();
    assertThat(matches("type!=Normal")).isFalse();
    assertThat(matches("involvedObject.uid=")).as("a field the object lacks is empty").isTrue();
    assertThat(matches("")).isTrue();
  }

  @Test
  void backslashEscapesCommasAndEqualSignsInValues() {
    assertThat(matches("reason=a\\,b\\=c")).isTrue();
    assertThat(FieldSelector.parse("reason=a\\,b\\=c,type=Normal").terms()).hasSize(2);
  }

  @Test
  void aTermWithoutOperatorIsRefused() {
    assertThatThrownBy(() -> FieldSelector.parse("involvedObject.name")).hasMessageContaining("can't understand");
  }
}
