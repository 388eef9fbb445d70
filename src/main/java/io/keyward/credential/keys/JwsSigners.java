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
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
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
 * refuse a particular key, that key's signatures are made by the JDK instead (logged once per key,
 * by its public thumbprint) under {@link Choice#AUTO}, and refused under {@link Choice#ACCP}.
 *
 * <p>A signer is prepared once per key and kept (the {@value #PREPARED_KEYS} most recently used
 * keys), so that minting from a key read again at every reconcile costs one signature, not a key
 * import and a signature. Keys are told apart by a SHA-256 digest of their private and public
 * parameters, never by their public half alone: a key whose public half is borrowed from another
 * key gets a signer of its own.
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

  static final int PREPARED_KEYS = 1024;

  private final Provider provider; // null: the JDK and Bouncy Castle
  private final boolean strict; // --crypto-provider=accp: no portable signer behind the native one
  private final String description;
  private final LongAdder fallbacks = new LongAdder();
  private final Map<String, JWSSigner> prepared = Collections.synchronizedMap(
      new LinkedHashMap<String, JWSSigner>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JWSSigner> eldest) {
          return size() > PREPARED_KEYS;
        }
      });

  private JwsSigners(Provider provider, boolean strict, String description) {
    this.provider = provider;
    this.strict = strict;
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
      return new JwsSigners(p, choice == Choice.ACCP, ACCP + " " + version);
    }
    if (choice == Choice.ACCP) {
      throw new IllegalStateException(ACCP + " cannot be used here: " + loaded.failure());
    }
    return new JwsSigners(null, false, "JDK and Bouncy Castle (" + ACCP + " unavailable: " + loaded.failure() + ")");
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
   * How many signatures the portable signer made because the native provider refused a key
   * (always 0 when nothing fell back, and for {@link #jdk()}).
   */
  public long fallbacks() {
    return fallbacks.sum();
  }

  /**
   * The signer for the key's private half: prepared at the first call for a key, the same one
   * afterwards. Safe for concurrent use.
   *
   * @throws NativeSignerRefused under {@link Choice#ACCP} when the native provider cannot take the key
   * @throws JOSEException when the key cannot sign at all
   */
  public JWSSigner signer(SigningKey key) throws JOSEException {
    String id = fingerprint(key.jwk());
    JWSSigner signer = prepared.get(id);
    if (signer == null) {
      signer = prepare(key.jwk());
      prepared.put(id, signer); // two threads preparing the same key at once keep either: both work
    }
    return signer;
  }

  /** The message for a condition when {@link #signer} or a signature fails. */
  public static String cannotSign(JOSEException e, com.nimbusds.jose.JWSAlgorithm algorithm) {
    return e instanceof NativeSignerRefused ? e.getMessage() : "the key cannot sign with " + algorithm;
  }

  private JWSSigner prepare(JWK jwk) throws JOSEException {
    JWSSigner portable = portable(jwk);
    if (provider == null) {
      return portable;
    }
    JWSSigner accelerated;
    try {
      accelerated = accelerated(jwk, provider);
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      if (strict) {
        throw new NativeSignerRefused(e);
      }
      fellBack(jwk, e);
      return new Fallback(null, portable, this, jwk);
    }
    return new Fallback(accelerated, portable, this, jwk);
  }

  /** SHA-256 over the whole JWK, private members included; only ever compared, never shown. */
  private static String fingerprint(JWK jwk) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(jwk.toJSONString().getBytes(StandardCharsets.UTF_8));
      return Base64URL.encode(digest).toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** The native provider cannot take a key and {@code --crypto-provider=accp} allows no other signer. */
  public static final class NativeSignerRefused extends JOSEException {
    NativeSignerRefused(Exception cause) {
      // the exception's class only: a provider's message may describe the key
      super(ACCP + " cannot sign with this key (" + rootClass(cause)
          + ") and --crypto-provider=accp allows no other signer; use auto or jdk");
    }
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

  private void fellBack(JWK jwk, Exception e) {
    // the public thumbprint and the exception's class only: a provider's message may describe the key
    LOG.warn("{} could not sign with the key with thumbprint {} ({}); the JDK signs with it instead", ACCP,
        thumbprint(jwk), rootClass(e));
  }

  /** The simple class name of the innermost cause: what went wrong, without a message that may describe the key. */
  private static String rootClass(Throwable e) {
    return root(e).getClass().getSimpleName();
  }

  private static Throwable root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  private static String thumbprint(JWK jwk) {
    try {
      return jwk.computeThumbprint().toString();
    } catch (JOSEException e) {
      return "(none)";
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
    Throwable root = root(e);
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /**
   * Signs natively; if the provider refuses (a key shape it does not take), the portable signer
   * signs under {@link Choice#AUTO}, and the signature fails under {@link Choice#ACCP}.
   */
  private static final class Fallback implements JWSSigner {
    private final JWSSigner primary; // null: the provider refused the key when it was prepared
    private final JWSSigner portable;
    private final JwsSigners owner;
    private final JWK jwk;
    private final AtomicBoolean logged = new AtomicBoolean();

    Fallback(JWSSigner primary, JWSSigner portable, JwsSigners owner, JWK jwk) {
      this.primary = primary;
      this.portable = portable;
      this.owner = owner;
      this.jwk = jwk;
      if (primary == null) {
        logged.set(true); // prepare() said so already
      }
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      if (primary == null) {
        return portablySigned(header, signingInput);
      }
      if (!primary.supportedJWSAlgorithms().contains(header.getAlgorithm())) {
        return portable.sign(header, signingInput); // the portable signer names the mismatch
      }
      try {
        return primary.sign(header, signingInput);
      } catch (JOSEException | RuntimeException e) {
        if (owner.strict) {
          throw new NativeSignerRefused(e);
        }
        if (logged.compareAndSet(false, true)) {
          owner.fellBack(jwk, e);
        }
        return portablySigned(header, signingInput);
      }
    }

    private Base64URL portablySigned(JWSHeader header, byte[] signingInput) throws JOSEException {
      Base64URL signature = portable.sign(header, signingInput);
      owner.fallbacks.increment();
      return signature;
    }

    @Override
    public Set<com.nimbusds.jose.JWSAlgorithm> supportedJWSAlgorithms() {
      return portable.supportedJWSAlgorithms();
    }

    @Override
    public JCAContext getJCAContext() {
      return primary != null ? primary.getJCAContext() : portable.getJCAContext();
    }
  }

  private static final class JdkHolder {
    static final JwsSigners INSTANCE = new JwsSigners(null, false, "JDK and Bouncy Castle");
  }

  private static final class AutoHolder {
    static final JwsSigners INSTANCE = select(Choice.AUTO);
  }
}
