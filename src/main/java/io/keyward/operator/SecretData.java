package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Base64 {@code data} of Secrets, both ways. Keyward writes {@code data}, never {@code stringData}. */
public final class SecretData {
  private SecretData() {}

  static Map<String, String> encode(Map<String, String> plain) {
    Map<String, String> data = new TreeMap<>();
    plain.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return data;
  }

  /** Decoded values; {@code stringData} is honoured too, since some API servers leave it unconverted. */
  public static Map<String, String> decode(Secret secret) {
    Map<String, String> out = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> out.put(k, v == null ? "" : decodeValue(v)));
    }
    if (secret.getStringData() != null) {
      out.putAll(secret.getStringData());
    }
    return out;
  }

  private static String decodeValue(String v) {
    try {
      return new String(Base64.getDecoder().decode(v.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
