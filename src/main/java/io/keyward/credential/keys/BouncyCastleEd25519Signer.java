package io.keyward.credential.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * EdDSA (Ed25519) JWS signing through Bouncy Castle's low-level Ed25519, several times faster than
 * the Tink-based signer Nimbus ships (see docs/benchmarks.md). Signatures are identical: Ed25519
 * is deterministic.
 */
final class BouncyCastleEd25519Signer implements JWSSigner {
  private final Ed25519PrivateKeyParameters key;
  private final JCAContext jca = new JCAContext();

  BouncyCastleEd25519Signer(OctetKeyPair jwk) {
    this.key = new Ed25519PrivateKeyParameters(jwk.getDecodedD(), 0);
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
    if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm()) && !JWSAlgorithm.Ed25519.equals(header.getAlgorithm())) {
      throw new JOSEException("Ed25519 keys sign EdDSA only, not " + header.getAlgorithm());
    }
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(signingInput, 0, signingInput.length);
    return Base64URL.encode(signer.generateSignature());
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
  }

  @Override
  public JCAContext getJCAContext() {
    return jca;
  }
}
