package io.keyward.bench;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keyward.api.v1alpha1.ApiConnector;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The benchmark's connectors: N of them, the five auth types in turn (apiKey, basic, OAuth 2.0
 * client credentials, OAuth 2.0 refresh token with rotation, JWT with a generated key), five by five
 * over the namespaces, each with its own input Secret {@code <name>-input}.
 */
final class Fleet {
  enum Kind {
    APIKEY("apikey"), BASIC("basic"), CC("cc"), RT("rt"), JWT("jwt");

    final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }
  }

  final int size;
  final int namespaces;
  private final String tokenUrl;
  private final String clientSecret;

  Fleet(int size, int namespaces, String tokenUrl, String clientSecret) {
    this.size = size;
    this.namespaces = namespaces;
    this.tokenUrl = tokenUrl;
    this.clientSecret = clientSecret;
  }

  static Kind kind(int i) {
    return Kind.values()[i % Kind.values().length];
  }

  static String name(int i) {
    return kind(i).prefix + "-%05d".formatted(i);
  }

  String namespace(int i) {
    return namespace(i, namespaces);
  }

  static String namespace(int i, int namespaces) {
    return "bench-" + (i / Kind.values().length) % namespaces;
  }

  String key(int i) {
    return namespace(i) + "/" + name(i);
  }

  int count(Kind kind) {
    int n = 0;
    for (int i = 0; i < size; i++) {
      n += kind(i) == kind ? 1 : 0;
    }
    return n;
  }

  /** The input Secret of connector {@code i} (none for jwt), its refresh token from {@code seeds}. */
  Secret input(int i, Supplier<String> seeds) {
    Map<String, String> values = new LinkedHashMap<>();
    switch (kind(i)) {
      case APIKEY -> values.put("api-key", "key-" + random());
      case BASIC -> values.put("password", "pw-" + random());
      case CC -> values.put("client-secret", clientSecret);
      case RT -> {
        values.put("client-secret", clientSecret);
        values.put("refresh-token", seeds.get());
      }
      case JWT -> {
        return null;
      }
    }
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder().withNewMetadata().withName(name(i) + "-input").withNamespace(namespace(i)).endMetadata()
        .withType("Opaque").withData(data).build();
  }

  ApiConnector connector(KubernetesClient client, int i) {
    String name = name(i);
    String auth = switch (kind(i)) {
      case APIKEY -> """
          apiKey:
            keyRef: {name: %s-input, key: api-key}
            header: X-API-Key
          """.formatted(name);
      case BASIC -> """
          basic:
            username: bench-user
            passwordRef: {name: %s-input, key: password}
          """.formatted(name);
      case CC -> """
          oauth2:
            grant: clientCredentials
            tokenUrl: %s
            clientId: %s
            clientSecretRef: {name: %s-input, key: client-secret}
            scopes: [bench.read]
          """.formatted(tokenUrl, BenchTokenServer.CC_CLIENT, name);
      case RT -> """
          oauth2:
            grant: refreshToken
            tokenUrl: %s
            clientId: %s
            clientSecretRef: {name: %s-input, key: client-secret}
            refreshTokenRef: {name: %s-input, key: refresh-token}
          """.formatted(tokenUrl, BenchTokenServer.RT_CLIENT, name, name);
      // half Ed25519, half P-256: both generate in well under a millisecond (RSA would take ~100 ms a key)
      case JWT -> (i / Kind.values().length) % 2 == 0 ? """
          jwt:
            algorithm: EdDSA
            ttl: 1h
            signingKey:
              generate: {type: OKP, rotateEvery: 720h, overlap: 1h}
            claims: {issuer: keyward-bench, subject: %s, audience: ["https://api.bench.invalid"]}
          """.formatted(name) : """
          jwt:
            algorithm: ES256
            ttl: 1h
            signingKey:
              generate: {type: EC, curve: P-256, rotateEvery: 720h, overlap: 1h}
            claims: {issuer: keyward-bench, subject: %s, audience: ["https://api.bench.invalid"]}
          """.formatted(name);
    };
    String yaml = """
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: %s, namespace: %s}
        spec:
          auth:
        %s""".formatted(name, namespace(i), auth.indent(4));
    return client.getKubernetesSerialization().unmarshal(yaml, ApiConnector.class);
  }

  /** An unrelated Secret of {@code bytes} random bytes (no label, referenced by nothing). */
  static Secret unrelated(int j, int namespaces, int bytes) {
    byte[] blob = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(blob);
    return new SecretBuilder().withNewMetadata().withName("unrelated-%05d".formatted(j))
        .withNamespace(namespace(j * Kind.values().length, namespaces)).endMetadata()
        .withType("Opaque").withData(Map.of("blob", Base64.getEncoder().encodeToString(blob))).build();
  }

  private static String random() {
    byte[] b = new byte[12];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
