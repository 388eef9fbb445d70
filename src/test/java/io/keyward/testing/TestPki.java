package io.keyward.testing;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA with a server certificate for 127.0.0.1 and a client certificate, for TLS tests. */
public final class TestPki {
  public record Issued(KeyPair keys, X509Certificate certificate) {
    public String certificatePem() throws Exception {
      return TestPki.pem(certificate);
    }

    public String keyPem() throws Exception {
      return TestPki.pem(keys.getPrivate());
    }
  }

  public final Issued ca;
  public final Issued server;
  public final Issued client;

  public TestPki() throws Exception {
    ca = issue("CN=Keyward Test CA", null, true, null);
    server = issue("CN=127.0.0.1", ca, false, "127.0.0.1");
    client = issue("CN=crm-client,O=Keyward Tests", ca, false, null);
  }

  private static Issued issue(String subject, Issued issuer, boolean isCa, String ipAddress) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair keys = generator.generateKeyPair();
    Instant now = Instant.now();
    X500Name name = new X500Name(subject);
    var builder = new JcaX509v3CertificateBuilder(issuer == null ? name : new X500Name(
        issuer.certificate().getSubjectX500Principal().getName()), BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (ipAddress != null) {
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.iPAddress, ipAddress)));
    }
    var signer = new JcaContentSignerBuilder("SHA256withECDSA")
        .build(issuer == null ? keys.getPrivate() : issuer.keys().getPrivate());
    return new Issued(keys, new JcaX509CertificateConverter().getCertificate(builder.build(signer)));
  }

  /** The server side: its certificate, trusting the CA for client certificates. */
  public SSLContext serverContext() throws Exception {
    KeyStore identity = KeyStore.getInstance("PKCS12");
    identity.load(null, null);
    identity.setKeyEntry("server", server.keys().getPrivate(), "x".toCharArray(),
        new X509Certificate[] {server.certificate(), ca.certificate()});
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(identity, "x".toCharArray());
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  static String pem(Object object) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object instanceof java.security.PrivateKey key
          ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate() : object);
    }
    return out.toString();
  }
}
