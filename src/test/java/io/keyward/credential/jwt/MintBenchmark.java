package io.keyward.credential.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.credential.keys.JwsSigners;
import io.keyward.credential.keys.SigningKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mints per second per algorithm (claims, signature, serialisation, one thread), next to
 * {@code openssl speed} signatures per second on the same machine in the same run, and the ratio.
 * Not a test: run it by hand (see docs/benchmarks.md). Ratios, not absolute numbers, are what to
 * compare across machines.
 */
public final class MintBenchmark {
  record Case(String name, JwtAuth.Algorithm algorithm, JWK key, String opensslName, String opensslTag) {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<Case> cases = List.of(
        new Case("RS256 (RSA-2048)", JwtAuth.Algorithm.RS256, new RSAKeyGenerator(2048).generate(), "rsa2048", "+F2:"),
        new Case("ES256 (P-256)", JwtAuth.Algorithm.ES256, new ECKeyGenerator(Curve.P_256).generate(), "ecdsap256", "+F4:"),
        new Case("EdDSA (Ed25519)", JwtAuth.Algorithm.EdDSA, new OctetKeyPairGenerator(Curve.Ed25519).generate(),
            "ed25519", "+F6:"));
    Map<String, Double> openssl = openssl(cases, seconds);
    JwsSigners auto = JwsSigners.auto();
    List<JwsSigners> engines = auto.isNative() ? List.of(auto, JwsSigners.jdk()) : List.of(auto);
    System.out.printf("java %s (%s), %d s per case, 1 thread%n", System.getProperty("java.version"),
        System.getProperty("java.vm.name"), seconds);
    for (int i = 0; i < engines.size(); i++) {
      System.out.printf("signer %d: %s%n", i + 1, engines.get(i).description());
    }
    StringBuilder head = new StringBuilder(String.format("%-18s %16s", "algorithm", "openssl signs/s"));
    for (int i = 0; i < engines.size(); i++) {
      head.append(String.format(" %16s %8s", "signer " + (i + 1) + " mints/s", "ratio"));
    }
    System.out.println(head);
    for (Case c : cases) {
      Double reference = openssl.get(c.opensslName());
      StringBuilder row = new StringBuilder(String.format("%-18s %16s", c.name(),
          reference == null ? "n/a" : String.format("%.0f", reference)));
      for (JwsSigners engine : engines) {
        double mints = mintsPerSecond(c, engine, seconds);
        row.append(String.format(" %16.0f %8s", mints,
            reference == null ? "n/a" : String.format("%.2fx", mints / reference)));
      }
      System.out.println(row);
    }
  }

  static double mintsPerSecond(Case c, JwsSigners signers, int seconds) throws Exception {
    JwtAuth auth = new JwtAuth();
    auth.algorithm = c.algorithm();
    auth.claims = new JwtAuth.Claims();
    auth.claims.issuer = "keyward";
    auth.claims.subject = "benchmark";
    auth.claims.audience = List.of("https://api.example.com");
    SigningKey key = new SigningKey(c.key(), "bench", JWSAlgorithm.parse(c.algorithm().name()), null, null);
    JWSAlgorithm algorithm = JWSAlgorithm.parse(c.algorithm().name());
    Duration ttl = Duration.ofMinutes(10);
    long warmUpEnd = System.nanoTime() + Duration.ofSeconds(Math.max(1, seconds / 2)).toNanos();
    while (System.nanoTime() < warmUpEnd) {
      JwtIssuer.mint(auth, key, signers.signer(key), algorithm, "bench", null, ttl, Instant.now());
    }
    long count = 0;
    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      // the signer is looked up per mint, as the issuers do with a key they read at every reconcile
      JwtIssuer.mint(auth, key, signers.signer(key), algorithm, "bench", null, ttl, Instant.now());
      count++;
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  /** Signatures per second from {@code openssl speed -mr}; empty when openssl is absent. */
  static Map<String, Double> openssl(List<Case> cases, int seconds) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Case c : cases) {
      try {
        Process p = new ProcessBuilder("openssl", "speed", "-mr", "-seconds", Integer.toString(seconds), c.opensslName())
            .redirectErrorStream(true).start();
        try (var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line : reader.lines().toList()) {
            if (line.startsWith(c.opensslTag())) {
              String[] f = line.split(":");
              out.put(c.opensslName(), Double.parseDouble(f[f.length - 2]));
            }
          }
        }
        p.waitFor();
      } catch (Exception e) {
        // openssl not installed: report n/a
      }
    }
    return out;
  }
}
