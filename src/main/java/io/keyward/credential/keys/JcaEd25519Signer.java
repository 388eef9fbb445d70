package io.keyward.credential.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Set;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * EdDSA (Ed25519) JWS signing through a JCA provider's {@code Ed25519} signature (the native one
 * of {@link JwsSigners}). The private key is the JWK's seed wrapped as PKCS#8 by Bouncy Castle and
 * read by the JDK's key factory, once per signer; the {@link Signature} is initialised once too and
 * reused (a JCA signature returns to its initialised state after each {@code sign()}), which halves
 * the cost of a native Ed25519 signature. Signing is serialised per signer.
 */
final class JcaEd25519Signer implements JWSSigner {
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
  private final PrivateKey key;
  private final Provider provider;
  private final JCAContext jca = new JCAContext();
  private Signature signature; // guarded by this; null until first use or after a failure

  JcaEd25519Signer(OctetKeyPair jwk, Provider provider) throws JOSEException {
    if (!com.nimbusds.jose.jwk.Curve.Ed25519.equals(jwk.getCurve()) || jwk.getD() == null) {
      throw new JOSEException("an Ed25519 private key is required");
    }
    this.provider = provider;
    jca.setProvider(provider);
    try {
      byte[] pkcs8 = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
          new DEROctetString(jwk.getDecodedD())).getEncoded();
      this.key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (IOException | GeneralSecurityException e) {
      throw new JOSEException("the Ed25519 key cannot be read", e);
    }
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
    if (!ALGORITHMS.contains(header.getAlgorithm())) {
      throw new JOSEException("Ed25519 keys sign EdDSA only, not " + header.getAlgorithm());
    }
    byte[] signed;
    synchronized (this) {
      try {
        if (signature == null) {
          signature = Signature.getInstance("Ed25519", provider);
          signature.initSign(key);
        }
        signature.update(signingInput);
        signed = signature.sign();
      } catch (GeneralSecurityException | RuntimeException e) {
        signature = null; // its state is unknown: start afresh next time
        throw new JOSEException("Ed25519 signing failed", e);
      }
    }
    return Base64URL.encode(signed);
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return ALGORITHMS;
  }

  @Override
  public JCAContext getJCAContext() {
    return jca;
  }
}
