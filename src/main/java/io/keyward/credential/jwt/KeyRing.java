package io.keyward.credential.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Generated signing keys and their lifecycle: a new key is published {@code overlap} before it
 * signs anything; it takes over once active; the previous key stays published until the last token
 * it signed has expired. Pure: time and key generation come in as arguments.
 */
final class KeyRing {
  /**
   * @param jwk the private key (its {@code kid} is set)
   * @param activatesAt when it may start signing
   * @param lastExpiry the latest {@code exp} of a token it signed, or {@code null}
   */
  record ManagedKey(JWK jwk, Instant createdAt, Instant activatesAt, Instant lastExpiry) {
    /** Never prints the private key. */
    @Override
    public String toString() {
      return "ManagedKey[kid=" + kid() + ", activatesAt=" + activatesAt + "]";
    }

    String kid() {
      return jwk.getKeyID();
    }
  }

  /** Makes a new private key with a kid. */
  @FunctionalInterface
  interface KeyFactory {
    JWK generate() throws JOSEException;
  }

  private final List<ManagedKey> keys;

  KeyRing(List<ManagedKey> keys) {
    this.keys = List.copyOf(keys);
  }

  static KeyRing fromState(String json) {
    if (json == null || json.isBlank()) {
      return new KeyRing(List.of());
    }
    try {
      List<ManagedKey> keys = new ArrayList<>();
      for (Object o : JSONObjectUtils.parse(json).get("keys") instanceof List<?> l ? l : List.of()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> entry = (Map<String, Object>) o;
        @SuppressWarnings("unchecked")
        JWK jwk = JWK.parse((Map<String, Object>) entry.get("jwk"));
        keys.add(new ManagedKey(jwk, Instant.parse((String) entry.get("createdAt")),
            Instant.parse((String) entry.get("activatesAt")),
            entry.get("lastExpiry") == null ? null : Instant.parse((String) entry.get("lastExpiry"))));
      }
      return new KeyRing(keys);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalStateException("the stored signing keys cannot be read", e);
    }
  }

  String toState() {
    List<Object> entries = new ArrayList<>();
    for (ManagedKey k : keys) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("jwk", k.jwk().toJSONObject());
      entry.put("createdAt", k.createdAt().toString());
      entry.put("activatesAt", k.activatesAt().toString());
      if (k.lastExpiry() != null) {
        entry.put("lastExpiry", k.lastExpiry().toString());
      }
      entries.add(entry);
    }
    return JSONObjectUtils.toJSONString(Map.of("keys", entries));
  }

  /** The newest key that may sign at {@code now}. */
  Optional<ManagedKey> signing(Instant now) {
    return keys.stream().filter(k -> !k.activatesAt().isAfter(now)).max(Comparator.comparing(ManagedKey::activatesAt));
  }

  /** Generates the first key, or the next one when the current one is due, and retires spent keys. */
  KeyRing rotate(Instant now, Duration rotateEvery, Duration overlap, KeyFactory factory) throws JOSEException {
    List<ManagedKey> next = new ArrayList<>(keys);
    if (next.isEmpty()) {
      next.add(new ManagedKey(factory.generate(), now, now, null));
      return new KeyRing(next);
    }
    ManagedKey current = new KeyRing(next).signing(now).orElseThrow();
    boolean pending = next.stream().anyMatch(k -> k.activatesAt().isAfter(now));
    if (!pending && !now.isBefore(current.activatesAt().plus(rotateEvery).minus(overlap))) {
      Instant activation = max(now.plus(overlap), current.activatesAt().plus(rotateEvery));
      next.add(new ManagedKey(factory.generate(), now, activation, null));
    }
    next.removeIf(k -> k != current && !k.activatesAt().isAfter(now) && k.activatesAt().isBefore(current.activatesAt())
        && (k.lastExpiry() == null || !k.lastExpiry().isAfter(now)));
    return new KeyRing(next);
  }

  /** Records that {@code kid} signed a token valid until {@code expiry}. */
  KeyRing signed(String kid, Instant expiry) {
    List<ManagedKey> next = new ArrayList<>();
    for (ManagedKey k : keys) {
      next.add(k.kid().equals(kid) && (k.lastExpiry() == null || expiry.isAfter(k.lastExpiry()))
          ? new ManagedKey(k.jwk(), k.createdAt(), k.activatesAt(), expiry) : k);
    }
    return new KeyRing(next);
  }

  /** The public keys of every key still published (pending, current, and retiring). */
  String publicJwks() {
    return new JWKSet(keys.stream().map(k -> k.jwk().toPublicJWK()).toList()).toString(true);
  }

  /** When the next key is generated (or, when one is pending, when it takes over). */
  Instant nextRotation(Instant now, Duration rotateEvery, Duration overlap) {
    Optional<ManagedKey> pending = keys.stream().filter(k -> k.activatesAt().isAfter(now)).findFirst();
    if (pending.isPresent()) {
      return pending.get().activatesAt();
    }
    return signing(now).map(k -> k.activatesAt().plus(rotateEvery).minus(overlap)).orElse(now);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
