package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.keyward.api.v1alpha1.ApiConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example manifest parses; each connector in it has exactly one auth block. */
class ExamplesTest {
  static Stream<Path> examples() throws Exception {
    return Files.walk(Path.of("examples")).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleIsAValidConnector(Path file) throws Exception {
    var serialization = new KubernetesSerialization();
    serialization.registerKubernetesResource(ApiConnector.class);
    Object parsed = serialization.unmarshal(Files.readString(file));
    List<?> items = parsed instanceof List<?> l ? l : List.of(parsed);
    var connectors = items.stream().filter(ApiConnector.class::isInstance).map(ApiConnector.class::cast).toList();
    assertThat(items).as(file.toString()).isNotEmpty();
    for (ApiConnector c : connectors) {
      assertThat(c.getMetadata().getName()).isNotBlank();
      assertThat(c.getSpec().auth.active()).isNotNull();
    }
    assertThat(items).allMatch(HasMetadata.class::isInstance);
  }
}
