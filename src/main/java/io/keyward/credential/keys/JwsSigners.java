package io.keyward.credential.keys;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where JWS signatures are computed. With {@link Choice#AUTO} (the default) that is the Amazon
 * Corretto Crypto Provider (AWS-LC through JNI) when it loads and passes its self-tests on this
 * platform, and otherwise the JDK (RSA, ECDSA) and Bouncy Castle (Ed25519). ACCP signs several
 * times faster (see docs/benchmarks.md); {@link Choice#JDK} keeps native code out of the process.
 *
 * <p>Signatures are standard either way: whatever verifies one verifies the other. Should ACCP
 * refuse a particular key, that signature is made by the JDK instead (logged once, without the key).
 */
public final class JwsSigners {
  private static final Logger LOG = LoggerFactory.getLogger(JwsSigners.class);
  private static final String ACCP = "Amazon Corretto Crypto Provider";
  private static volatile Loaded accp;

  /** The choice an operator is started with ({@code --crypto-provider}). */
  public enum Choice {
    /** ACCP when it loads here, else the JDK and Bouncy Castle. */
    AUTO,
    /** ACCP, or refuse to start. */
    ACCP,
    /** Never load native code: the JDK and Bouncy Castle. */
    JDK;

    /** Parses {@code auto}, {@code accp} or {@code jdk}, any case. */
    public static Choice parse(String text) {
      try {
        return valueOf(text.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' is not one of auto, accp, jdk");
      }
    }
  }

  /** The outcome of loading the native provider: the provider, or why it cannot be used. */
  record Loaded(Provider provider, String failure) {}

  private final Provider provider; // null: the JDK and Bouncy Castle
  private final String description;
  private final AtomicBoolean fallbackLogged = new AtomicBoolean();

  private JwsSigners(Provider provider, String description) {
    this.provider = provider;
    this.description = description;
  }

  /** The JDK for RSA and ECDSA, Bouncy Castle for Ed25519; no native code. */
  public static JwsSigners jdk() {
    return JdkHolder.INSTANCE;
  }

  /** {@link Choice#AUTO}: ACCP when it loads here, else {@link #jdk()}. */
  public static JwsSigners auto() {
    return AutoHolder.INSTANCE;
  }

  /**
   * The signers for a choice.
   *
   * @throws IllegalStateException for {@link Choice#ACCP} when ACCP cannot be used here; the message says why
   */
  public static JwsSigners select(Choice choice) {
    return select(choice, JwsSigners::loadAccp);
  }

  static JwsSigners select(Choice choice, Supplier<Loaded> loader) {
    if (choice == Choice.JDK) {
      return jdk();
    }
    Loaded loaded = loader.get();
    if (loaded.provider() != null) {
      Provider p = loaded.provider();
      String version = p instanceof AmazonCorrettoCryptoProvider a
          ? a.getVersionStr() + " (" + a.getAwsLcVersionStr() + ")" : p.getVersionStr();
      return new JwsSigners(p, ACCP + " " + version);
    }
    if (choice == Choice.ACCP) {
      throw new IllegalStateException(ACCP + " cannot be used here: " + loaded.failure());
    }
    return new JwsSigners(null, "JDK and Bouncy Castle (" + ACCP + " unavailable: " + loaded.failure() + ")");
  }

  /** What signs, for the startup log: the provider and its version, or why the native one is not used. */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return description;
  }

  /** {@code true} when signatures are computed by the native provider. */
  public boolean isNative() {
    return provider != null;
  }

  /**
   * A signer for the key's private half. Preparing it costs more than a signature (the native
   * provider takes the key in and checks it): keep it for as long as the key is used.
   */
  public JWSSigner signer(SigningKey key) throws JOSEException {
    JWSSigner portable = portable(key.jwk());
    if (provider == null) {
      return portable;
    }
    JWSSigner accelerated;
    try {
      accelerated = accelerated(key.jwk(), provider);
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      fellBack(e);
      return portable;
    }
    return new Fallback(accelerated, portable, this);
  }

  private static JWSSigner portable(JWK jwk) throws JOSEException {
    if (jwk instanceof RSAKey rsa) {
      return new RSASSASigner(rsa);
    }
    if (jwk instanceof ECKey ec) {
      return new ECDSASigner(ec);
    }
    if (jwk instanceof OctetKeyPair okp) {
      return new BouncyCastleEd25519Signer(okp);
    }
    throw new JOSEException("no signer for " + jwk.getKeyType() + " keys");
  }

  /** The key is taken into the provider once here, not at every signature. */
  private static JWSSigner accelerated(JWK jwk, Provider provider) throws JOSEException, GeneralSecurityException {
    if (jwk instanceof RSAKey rsa) {
      PrivateKey key = (PrivateKey) KeyFactory.getInstance("RSA", provider).translateKey(rsa.toPrivateKey());
      RSASSASigner s = new RSASSASigner(key);
      s.getJCAContext().setProvider(provider);
      return s;
    }
    if (jwk instanceof ECKey ec) {
      PrivateKey key = (PrivateKey) KeyFactory.getInstance("EC", provider).translateKey(ec.toPrivateKey());
      ECDSASigner s = new ECDSASigner(key, ec.getCurve());
      s.getJCAContext().setProvider(provider);
      return s;
    }
    return new JcaEd25519Signer((OctetKeyPair) jwk, provider);
  }

  private void fellBack(Exception e) {
    if (fallbackLogged.compareAndSet(false, true)) {
      // the exception's class only: a provider's message may describe the key
      LOG.warn("{} could not sign with a key ({}); the JDK signs with such keys instead", ACCP,
          e.getClass().getSimpleName());
    }
  }

  static Loaded loadAccp() {
    Loaded loaded = accp;
    if (loaded == null) {
      synchronized (JwsSigners.class) {
        loaded = accp;
        if (loaded == null) {
          loaded = tryLoad();
          accp = loaded;
        }
      }
    }
    return loaded;
  }

  private static Loaded tryLoad() {
    try {
      AmazonCorrettoCryptoProvider p = AmazonCorrettoCryptoProvider.INSTANCE;
      Throwable error = p.getLoadingError();
      if (error != null) {
        return new Loaded(null, reason(error));
      }
      p.assertHealthy();
      return new Loaded(p, null);
    } catch (RuntimeException | LinkageError e) {
      return new Loaded(null, reason(e));
    }
  }

  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** Signs natively; if the provider refuses (a key shape it does not take), the portable signer signs. */
  private static final class Fallback implements JWSSigner {
    private final JWSSigner primary;
    private final JWSSigner portable;
    private final JwsSigners owner;

    Fallback(JWSSigner primary, JWSSigner portable, JwsSigners owner) {
      this.primary = primary;
      this.portable = portable;
      this.owner = owner;
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      if (!primary.supportedJWSAlgorithms().contains(header.getAlgorithm())) {
        return portable.sign(header, signingInput); // the portable signer names the mismatch
      }
      try {
        return primary.sign(header, signingInput);
      } catch (JOSEException | RuntimeException e) {
        owner.fellBack(e);
        return portable.sign(header, signingInput);
      }
    }

    @Override
    public Set<com.nimbusds.jose.JWSAlgorithm> supportedJWSAlgorithms() {
      return portable.supportedJWSAlgorithms();
    }

    @Override
    public JCAContext getJCAContext() {
      return primary.getJCAContext();
    }
  }

  private static final class JdkHolder {
    static final JwsSigners INSTANCE = new JwsSigners(null, "JDK and Bouncy Castle");
  }

  private static final class AutoHolder {
    static final JwsSigners INSTANCE = select(Choice.AUTO);
  }
}
