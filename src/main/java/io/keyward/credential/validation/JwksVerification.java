package io.keyward.credential.validation;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.security.Key;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Nimbus JWT processor that verifies signatures with the keys of a JWKS, Ed25519 included.
 *
 * <p>Nimbus's {@code JWSVerificationKeySelector} hands keys on as {@code java.security} keys, and
 * its converter has none for OKP (Ed25519) JWKs, so an EdDSA token never finds its key there. Here
 * Ed25519 JWKs travel as {@link Ed25519Jwk} to a verifier factory that gives them Nimbus's
 * {@link Ed25519Verifier}; RSA and EC keys go the usual way. Everything else (header type, critical
 * parameters, the claims verifier the caller sets) is Nimbus's {@link DefaultJWTProcessor}.
 */
public final class JwksVerification {
  /** The algorithms a provider's or a client's tokens may be signed with. */
  private static final Set<JWSAlgorithm> ALGORITHMS;

  static {
    Set<JWSAlgorithm> all = new HashSet<>();
    all.addAll(JWSAlgorithm.Family.RSA);
    all.addAll(JWSAlgorithm.Family.EC);
    all.add(JWSAlgorithm.EdDSA);
    all.add(JWSAlgorithm.Ed25519);
    ALGORITHMS = Set.copyOf(all);
  }

  private JwksVerification() {}

  /** A processor whose signature check uses the keys of {@code keys}; the caller sets the claims verifier. */
  public static DefaultJWTProcessor<SecurityContext> processor(JWKSource<SecurityContext> keys) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(selector(keys));
    processor.setJWSVerifierFactory(new VerifierFactory());
    return processor;
  }

  private static JWSKeySelector<SecurityContext> selector(JWKSource<SecurityContext> keys) {
    return (JWSHeader header, SecurityContext context) -> {
      if (!ALGORITHMS.contains(header.getAlgorithm())) {
        return List.of();
      }
      JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
      if (matcher == null) {
        return List.of();
      }
      List<Key> found = new ArrayList<>();
      for (JWK jwk : keys.get(new JWKSelector(matcher), context)) {
        if (jwk instanceof OctetKeyPair okp) {
          found.add(new Ed25519Jwk(okp.toPublicJWK()));
        } else {
          KeyConverter.toJavaKeys(List.of(jwk)).stream().filter(k -> k instanceof PublicKey).forEach(found::add);
        }
      }
      return found;
    };
  }

  /** An Ed25519 public JWK passed through Nimbus's key plumbing, which expects {@code java.security} keys. */
  record Ed25519Jwk(OctetKeyPair jwk) implements PublicKey {
    @Override
    public String getAlgorithm() {
      return "Ed25519";
    }

    @Override
    public String getFormat() {
      return null;
    }

    @Override
    public byte[] getEncoded() {
      return null;
    }
  }

  private static final class VerifierFactory implements JWSVerifierFactory {
    private final DefaultJWSVerifierFactory standard = new DefaultJWSVerifierFactory();

    @Override
    public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
      if (key instanceof Ed25519Jwk ed) {
        return new Ed25519Verifier(ed.jwk());
      }
      return standard.createJWSVerifier(header, key);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return ALGORITHMS;
    }

    @Override
    public JCAContext getJCAContext() {
      return standard.getJCAContext();
    }
  }
}
