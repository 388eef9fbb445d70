package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DESIGN §6: the credential and renewal layers know nothing of Kubernetes and read no wall clock; the
 * admission library (JSON in, records out) uses neither Fabric8 nor JOSDK.
 */
class LayersTest {
  @ParameterizedTest
  @ValueSource(strings = {"credential", "renewal", "admission", "provider"})
  void layerImportsNoKubernetesTypesAndReadsNoWallClock(String layer) throws IOException {
    Path root = Path.of("src/main/java/io/keyward", layer);
    List<Path> sources;
    try (Stream<Path> files = Files.walk(root)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(sources).isNotEmpty();
    for (Path source : sources) {
      String text = Files.readString(source);
      assertThat(text).as(source.toString())
          .doesNotContain("import io.fabric8.kubernetes.client")
          .doesNotContain("import io.fabric8.kubernetes.api")
          .doesNotContain("import io.javaoperatorsdk")
          .doesNotContain("Instant.now()")
          .doesNotContain("System.currentTimeMillis");
    }
  }
}
