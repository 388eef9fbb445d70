package io.keyward.credential.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where Keyward may send a request (DESIGN §9). Checked twice for every call: the URL (scheme, host
 * name) before anything is sent, and each address the host resolves to before a connection is made
 * (see {@link EgressResolver}); a connection goes only to an address that passed.
 *
 * <p>Order of the rules, first match wins:
 * <ol>
 *   <li>an allow entry naming the address (a CIDR or an IP) permits it;</li>
 *   <li>an allow entry naming the host (exact, or {@code *.suffix}) permits it, except for cloud
 *       metadata addresses, which only an allow entry naming their address opens;</li>
 *   <li>a deny entry (host, {@code *.suffix}, CIDR or IP) refuses it;</li>
 *   <li>the built-in refusals: cloud metadata addresses and host names, link-local, loopback (unless
 *       {@link #withLoopback(boolean) loopback is allowed}, as in local mode), unspecified, multicast
 *       and reserved addresses;</li>
 *   <li>anything else is permitted.</li>
 * </ol>
 * Plain http is refused unless {@link #withPlainHttp(boolean) allowed}. Addresses embedded in IPv6
 * (IPv4-mapped, IPv4-compatible, NAT64 {@code 64:ff9b::/96}) are judged as the IPv4 address they carry.
 */
public final class EgressPolicy {
  /** Why a URL or an address is refused; {@code rule} is safe to show to the connector's owner. */
  public record Refusal(String host, String rule) {}

  private record Cidr(String text, byte[] network, int bits) {
    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (b[full] & mask) == (network[full] & mask);
    }
  }

  /** One allow or deny entry: an exact host, a {@code *.suffix}, or a CIDR. */
  private record Entry(String text, String host, String suffix, Cidr cidr) {
    boolean matchesHost(String h) {
      return host != null ? host.equals(h) : suffix != null && h.endsWith(suffix) && h.length() > suffix.length();
    }
  }

  private record Builtin(String rule, List<Cidr> ranges) {}

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern HOST = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");

  /** Host names of cloud metadata services (GCP, AWS, generic in-cloud short names). */
  static final List<String> METADATA_HOSTS = List.of("metadata.google.internal", "metadata.goog", "metadata",
      "instance-data", "instance-data.ec2.internal");
  private static final Builtin METADATA = new Builtin("cloud metadata address", List.of(
      cidr("169.254.169.254/32"), // AWS, Azure, GCP, OpenStack, Oracle, DigitalOcean
      cidr("169.254.170.2/32"), // AWS ECS task metadata
      cidr("fd00:ec2::254/128"), // AWS IPv6
      cidr("fd20:ce::254/128"), // GCP IPv6
      cidr("100.100.100.200/32"))); // Alibaba Cloud
  private static final Builtin LOOPBACK = new Builtin("loopback address", List.of(cidr("127.0.0.0/8"), cidr("::1/128")));
  private static final List<Builtin> ALWAYS = List.of(
      new Builtin("link-local address", List.of(cidr("169.254.0.0/16"), cidr("fe80::/10"))),
      new Builtin("unspecified address", List.of(cidr("0.0.0.0/8"), cidr("::/128"))),
      new Builtin("multicast address", List.of(cidr("224.0.0.0/4"), cidr("ff00::/8"))),
      new Builtin("reserved address", List.of(cidr("240.0.0.0/4"))));

  private final boolean plainHttp;
  private final boolean loopback;
  private final List<Entry> allow;
  private final List<Entry> deny;

  private EgressPolicy(boolean plainHttp, boolean loopback, List<Entry> allow, List<Entry> deny) {
    this.plainHttp = plainHttp;
    this.loopback = loopback;
    this.allow = List.copyOf(allow);
    this.deny = List.copyOf(deny);
  }

  /** {@code keyward run}'s default: https only; metadata, link-local, loopback and the like refused. */
  public static EgressPolicy cluster() {
    return new EgressPolicy(false, false, List.of(), List.of());
  }

  /** Local mode: plain http and loopback allowed (the demo provider); metadata and link-local still refused. */
  public static EgressPolicy local() {
    return new EgressPolicy(true, true, List.of(), List.of());
  }

  public EgressPolicy withPlainHttp(boolean allowed) {
    return new EgressPolicy(allowed, loopback, allow, deny);
  }

  public EgressPolicy withLoopback(boolean allowed) {
    return new EgressPolicy(plainHttp, allowed, allow, deny);
  }

  /**
   * Adds allow entries: {@code idp.example.com}, {@code *.example.com}, {@code 10.1.2.3},
   * {@code 10.0.0.0/8}, {@code fd00::/8}.
   *
   * @throws IllegalArgumentException naming the entry that is none of these
   */
  public EgressPolicy allowing(List<String> entries) {
    List<Entry> more = new ArrayList<>(allow);
    entries.forEach(e -> more.add(entry(e)));
    return new EgressPolicy(plainHttp, loopback, more, deny);
  }

  /** Adds deny entries, written like {@link #allowing(List) allow entries}. */
  public EgressPolicy denying(List<String> entries) {
    List<Entry> more = new ArrayList<>(deny);
    entries.forEach(e -> more.add(entry(e)));
    return new EgressPolicy(plainHttp, loopback, allow, more);
  }

  /** The URL's own check, before anything is resolved or sent. */
  public Optional<Refusal> checkUrl(URI uri) {
    String host = host(uri.getHost());
    if ("http".equalsIgnoreCase(uri.getScheme()) && !plainHttp) {
      return Optional.of(new Refusal(host, "only https is allowed"));
    }
    if (allowsHost(host)) {
      return Optional.empty();
    }
    for (Entry e : deny) {
      if (e.cidr == null && e.matchesHost(host)) {
        return Optional.of(new Refusal(host, "deny list entry " + e.text));
      }
    }
    if (METADATA_HOSTS.contains(host)) {
      return Optional.of(new Refusal(host, "cloud metadata host"));
    }
    return Optional.empty();
  }

  /** The check of one address that {@code host} resolved to (or is, for an IP literal). */
  public Optional<Refusal> checkAddress(String host, InetAddress address) {
    String h = host(host);
    InetAddress a = embeddedIpv4(address);
    for (Entry e : allow) {
      if (e.cidr != null && (e.cidr.contains(a) || e.cidr.contains(address))) {
        return Optional.empty();
      }
    }
    if (in(METADATA, a)) {
      return Optional.of(new Refusal(h, allowsHost(h)
          ? METADATA.rule + " (only an allow entry naming the address opens it)" : METADATA.rule));
    }
    if (allowsHost(h)) {
      return Optional.empty();
    }
    for (Entry e : deny) {
      if (e.cidr != null && (e.cidr.contains(a) || e.cidr.contains(address))) {
        return Optional.of(new Refusal(h, "deny list entry " + e.text));
      }
    }
    if (!loopback && in(LOOPBACK, a)) {
      return Optional.of(new Refusal(h, LOOPBACK.rule));
    }
    for (Builtin b : ALWAYS) {
      if (in(b, a)) {
        return Optional.of(new Refusal(h, b.rule));
      }
    }
    return Optional.empty();
  }

  /** One line for the operator's start-up log; names no secret (there is none here). */
  public String describe() {
    StringBuilder s = new StringBuilder(plainHttp ? "http and https" : "https only");
    s.append("; refused: cloud metadata, link-local, ").append(loopback ? "" : "loopback, ")
        .append("unspecified, multicast and reserved addresses");
    if (!allow.isEmpty()) {
      s.append("; allowed: ").append(String.join(", ", allow.stream().map(Entry::text).toList()));
    }
    if (!deny.isEmpty()) {
      s.append("; denied: ").append(String.join(", ", deny.stream().map(Entry::text).toList()));
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return "EgressPolicy[" + describe() + "]";
  }

  private boolean allowsHost(String host) {
    for (Entry e : allow) {
      if (e.cidr == null && e.matchesHost(host)) {
        return true;
      }
    }
    return false;
  }

  private static boolean in(Builtin b, InetAddress a) {
    for (Cidr c : b.ranges) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }

  private static String host(String host) {
    String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64), else the address itself. */
  static InetAddress embeddedIpv4(InetAddress a) {
    if (!(a instanceof Inet6Address)) {
      return a;
    }
    byte[] b = a.getAddress();
    boolean zero80 = true;
    for (int i = 0; i < 10; i++) {
      zero80 &= b[i] == 0;
    }
    boolean mapped = zero80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = zero80 && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
    boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    for (int i = 4; nat64 && i < 12; i++) {
      nat64 = b[i] == 0;
    }
    if (!(mapped || compatible || nat64)) {
      return a;
    }
    try {
      return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
    } catch (UnknownHostException e) {
      return a;
    }
  }

  private static Entry entry(String raw) {
    String text = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
    if (text.isEmpty()) {
      throw new IllegalArgumentException("an empty entry");
    }
    if (text.contains("/") || text.contains(":") || IPV4.matcher(text).matches()) {
      return new Entry(text, null, null, cidr(text));
    }
    if (text.startsWith("*.") && HOST.matcher(text.substring(2)).matches()) {
      return new Entry(text, null, text.substring(1), null);
    }
    String h = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    if (!HOST.matcher(h).matches()) {
      throw new IllegalArgumentException("'" + raw.strip() + "' is not a host name, *.suffix, IP address or CIDR");
    }
    return new Entry(text, h, null, null);
  }

  private static Cidr cidr(String text) {
    String[] parts = text.split("/", -1);
    String address = parts[0];
    if (parts.length > 2 || !(address.contains(":") || IPV4.matcher(address).matches())) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR");
    }
    byte[] bytes;
    try {
      // a literal (checked above): no name is looked up
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR");
    }
    int bits = bytes.length * 8;
    if (parts.length == 2) {
      try {
        bits = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
      }
      if (bits < 0 || bits > bytes.length * 8) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0-" + bytes.length * 8);
      }
    }
    return new Cidr(text, bytes, bits);
  }
}
