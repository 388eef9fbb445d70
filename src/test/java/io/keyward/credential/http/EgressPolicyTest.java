package io.keyward.credential.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The egress policy's rules as a table. Only decisions are made here: no address is called and no
 * name is looked up (addresses are literals).
 */
class EgressPolicyTest {
  static Optional<String> address(EgressPolicy p, String host, String ip) throws Exception {
    return p.checkAddress(host, InetAddress.getByName(ip)).map(EgressPolicy.Refusal::rule);
  }

  static Optional<String> url(EgressPolicy p, String url) {
    return p.checkUrl(URI.create(url)).map(EgressPolicy.Refusal::rule);
  }

  @ParameterizedTest(name = "{0} is refused in cluster mode: {1}")
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1        | loopback address",
      "127.0.0.2        | loopback address",
      "::1              | loopback address",
      "169.254.169.254  | cloud metadata address",
      "169.254.170.2    | cloud metadata address",
      "fd00:ec2::254    | cloud metadata address",
      "fd20:ce::254     | cloud metadata address",
      "100.100.100.200  | cloud metadata address",
      "169.254.10.20    | link-local address",
      "fe80::1          | link-local address",
      "0.0.0.0          | unspecified address",
      "::               | unspecified address",
      "224.0.0.251      | multicast address",
      "ff02::1          | multicast address",
      "255.255.255.255  | reserved address",
      "::ffff:169.254.169.254 | cloud metadata address",
      "64:ff9b::a9fe:a9fe     | cloud metadata address",
      "::127.0.0.1            | loopback address",
  })
  void builtInRefusals(String ip, String rule) throws Exception {
    assertThat(address(EgressPolicy.cluster(), "provider.example", ip)).contains(rule);
  }

  @ParameterizedTest(name = "{0} is permitted by default")
  @CsvSource({"93.184.215.14", "10.1.2.3", "192.168.1.10", "2606:4700::6810:84e5", "fd12:3456::1", "100.64.0.1"})
  void otherAddressesArePermittedUntilADenyEntryNamesThem(String ip) throws Exception {
    assertThat(address(EgressPolicy.cluster(), "provider.example", ip)).isEmpty();
  }

  @Test
  void localModeAllowsLoopbackAndPlainHttpButNotMetadataOrLinkLocal() throws Exception {
    EgressPolicy local = EgressPolicy.local();
    assertThat(address(local, "127.0.0.1", "127.0.0.1")).isEmpty();
    assertThat(address(local, "localhost", "::1")).isEmpty();
    assertThat(url(local, "http://127.0.0.1:18080/token")).isEmpty();
    assertThat(address(local, "169.254.169.254", "169.254.169.254")).contains("cloud metadata address");
    assertThat(address(local, "x", "fe80::1")).contains("link-local address");
  }

  @Test
  void clusterModeCallsHttpsOnly() {
    assertThat(url(EgressPolicy.cluster(), "http://login.example.com/token")).contains("only https is allowed");
    assertThat(url(EgressPolicy.cluster(), "https://login.example.com/token")).isEmpty();
    assertThat(url(EgressPolicy.cluster().withPlainHttp(true), "http://login.example.com/token")).isEmpty();
  }

  @Test
  void metadataHostNamesAreRefusedBeforeAnythingIsResolved() {
    assertThat(url(EgressPolicy.cluster(), "https://metadata.google.internal/computeMetadata/v1/"))
        .contains("cloud metadata host");
    assertThat(url(EgressPolicy.cluster(), "https://METADATA.google.internal./x")).contains("cloud metadata host");
    assertThat(url(EgressPolicy.local(), "http://metadata/x")).contains("cloud metadata host");
  }

  @Test
  void denyEntriesNameHostsSuffixesAddressesAndRanges() throws Exception {
    EgressPolicy p = EgressPolicy.cluster().denying(List.of("evil.example", "*.corp.example", "10.0.0.0/8", "fd00::/8",
        "192.0.2.7"));
    assertThat(url(p, "https://evil.example/t")).contains("deny list entry evil.example");
    assertThat(url(p, "https://a.b.corp.example/t")).contains("deny list entry *.corp.example");
    assertThat(url(p, "https://corp.example/t")).as("*.suffix is subdomains only").isEmpty();
    assertThat(address(p, "idp", "10.96.0.12")).contains("deny list entry 10.0.0.0/8");
    assertThat(address(p, "idp", "fd00:1::5")).contains("deny list entry fd00::/8");
    assertThat(address(p, "idp", "192.0.2.7")).contains("deny list entry 192.0.2.7");
    assertThat(address(p, "idp", "192.0.2.8")).isEmpty();
    assertThat(address(p, "idp", "11.0.0.1")).isEmpty();
  }

  @Test
  void anAllowEntryWinsOverDenyEntriesAndBuiltInsButAHostEntryNeverOpensMetadata() throws Exception {
    EgressPolicy p = EgressPolicy.cluster()
        .denying(List.of("10.0.0.0/8", "*.svc.cluster.local"))
        .allowing(List.of("keycloak.auth.svc.cluster.local", "10.0.5.0/24", "*.idp.internal", "169.254.169.254"));
    // one in-cluster identity provider, by name, although its service CIDR is denied
    assertThat(url(p, "https://keycloak.auth.svc.cluster.local/token")).isEmpty();
    assertThat(address(p, "keycloak.auth.svc.cluster.local", "10.96.3.4")).isEmpty();
    assertThat(url(p, "https://other.auth.svc.cluster.local/token")).contains("deny list entry *.svc.cluster.local");
    assertThat(address(p, "other", "10.96.3.4")).contains("deny list entry 10.0.0.0/8");
    // by range
    assertThat(address(p, "anything", "10.0.5.9")).isEmpty();
    // a host entry lets a name reach a private or loopback address, never a metadata one
    assertThat(address(p, "a.idp.internal", "127.0.0.1")).isEmpty();
    assertThat(address(p, "a.idp.internal", "169.254.170.2")).get().asString().startsWith("cloud metadata address");
    // an address entry does open a metadata address
    assertThat(address(p, "whatever", "169.254.169.254")).isEmpty();
  }

  @Test
  void entriesThatAreNothingAreRefusedNamingThem() {
    for (String bad : List.of("10.0.0.0/33", "fd00::/129", "exa mple.com", "", "10.0.0.0/x", "http://x.example",
        "*.", "1.2.3.4/8/9")) {
      assertThatThrownBy(() -> EgressPolicy.cluster().allowing(List.of(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> EgressPolicy.cluster().denying(List.of("exa mple.com")))
        .hasMessageContaining("'exa mple.com' is not a host name, *.suffix, IP address or CIDR");
  }

  @Test
  void describeNamesTheRulesForTheStartUpLog() {
    assertThat(EgressPolicy.cluster().denying(List.of("10.0.0.0/8")).allowing(List.of("idp.example")).describe())
        .isEqualTo("https only; refused: cloud metadata, link-local, loopback, unspecified, multicast and reserved"
            + " addresses; allowed: idp.example; denied: 10.0.0.0/8");
    assertThat(EgressPolicy.local().describe()).startsWith("http and https; refused: cloud metadata, link-local, unspecified");
  }

  @Test
  void theTestsOwnPolicyReachesLoopbackOnly() throws Exception {
    EgressPolicy tests = io.keyward.testing.Loopback.only();
    assertThat(address(tests, "127.0.0.1", "127.0.0.1")).isEmpty();
    assertThat(address(tests, "localhost", "::1")).isEmpty();
    assertThat(address(tests, "login.example.com", "93.184.215.14")).contains("deny list entry 0.0.0.0/0");
    assertThat(address(tests, "idp", "10.0.0.1")).contains("deny list entry 0.0.0.0/0");
    assertThat(address(tests, "idp", "2606:4700::1")).contains("deny list entry ::/0");
    assertThat(address(tests, "x", "169.254.169.254")).contains("cloud metadata address");
  }
}
