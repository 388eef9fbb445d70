package io.keyward;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.AuthSpec;
import io.keyward.api.v1alpha1.auth.AuthMethod;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.http.HttpSender;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A new auth type is one spec class, one issuer and one test class, and one field in {@link AuthSpec}.
 * This test fails, naming what is missing, when a block of {@code spec.auth} lacks its entry in the
 * CRD's exactly-one rule, its issuer, an example manifest or its row in the README's table.
 */
class AuthTypesTest {
  /** The blocks of spec.auth: its public fields whose type is an auth method. */
  static Stream<Field> authBlocks() {
    return Arrays.stream(AuthSpec.class.getFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers()) && AuthMethod.class.isAssignableFrom(f.getType()));
  }

  @Test
  void thereAreAuthBlocksToCheck() {
    assertThat(authBlocks()).extracting(Field::getName).contains("oauth2", "apiKey", "basic", "jwt");
  }

  @ParameterizedTest
  @MethodSource("authBlocks")
  void everyAuthBlockIsCompleteEverywhere(Field block) throws Exception {
    String name = block.getName();
    AuthMethod instance = (AuthMethod) block.getType().getDeclaredConstructor().newInstance();
    assertThat(instance.type()).as("%s: its type() is the name of its block", name).isEqualTo(name);

    ValidationRule rule = AuthSpec.class.getAnnotation(ValidationRule.class);
    assertThat(rule.value()).as("%s: in the CRD's exactly-one rule on spec.auth", name).contains("has(self." + name + ")");
    assertThat(rule.message()).as("%s: named in that rule's message", name).contains("spec.auth." + name);

    AuthSpec auth = new AuthSpec();
    block.set(auth, instance);
    assertThat(auth.active()).as("%s: AuthSpec.active() chooses it", name).isSameAs(instance);

    @SuppressWarnings("unchecked")
    Class<? extends AuthMethod> type = (Class<? extends AuthMethod>) block.getType();
    assertThat(CredentialIssuers.standard(Loopback.sender()).handles(type))
        .as("%s: an issuer in CredentialIssuers.standard", name).isTrue();

    assertThat(examplesUsing(block)).as("%s: an example manifest under examples/", name).isNotEmpty();

    assertThat(Files.readAllLines(Path.of("README.md")))
        .as("%s: a row of the README's auth-type table", name).anyMatch(l -> l.startsWith("| `" + name + "`"));
  }

  private static List<Path> examplesUsing(Field block) throws Exception {
    var serialization = new KubernetesSerialization();
    serialization.registerKubernetesResource(ApiConnector.class);
    List<Path> found = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Path.of("examples"))) {
      files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path file : files) {
      Object parsed = serialization.unmarshal(Files.readString(file));
      List<?> items = parsed instanceof List<?> l ? l : List.of(parsed);
      for (Object item : items) {
        if (item instanceof ApiConnector c && c.getSpec() != null && c.getSpec().auth != null
            && block.get(c.getSpec().auth) != null) {
          found.add(file);
        }
      }
    }
    return found;
  }
}
