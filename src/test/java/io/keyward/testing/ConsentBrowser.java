package io.keyward.testing;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A person at a browser, for tests: opens the authorization URL (the demo provider's consent page,
 * on loopback), presses Allow or Deny, and follows the provider's redirect to the loopback listener
 * (or hands the redirect to the test to tamper with first).
 */
public final class ConsentBrowser {
  private static final Pattern REQUEST = Pattern.compile("name=\"request\" value=\"([^\"]+)\"");
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /** The redirect the provider answers the consent with ({@code allow} or {@code deny}), not yet followed. */
  public URI consent(URI authorizationUrl, String decision) throws Exception {
    if (!authorizationUrl.getHost().startsWith("127.")) {
      throw new IllegalArgumentException("tests browse loopback only, not " + authorizationUrl.getHost());
    }
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(authorizationUrl).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher m = REQUEST.matcher(page.body());
    if (page.statusCode() != 200 || !m.find()) {
      throw new AssertionError("no consent page (HTTP " + page.statusCode() + "): " + page.body());
    }
    String form = "request=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8) + "&decision=" + decision;
    URI action = authorizationUrl.resolve("/oauth2/authorize");
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(action)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 302) {
      throw new AssertionError("the consent did not redirect (HTTP " + answer.statusCode() + "): " + answer.body());
    }
    return URI.create(answer.headers().firstValue("Location").orElseThrow());
  }

  /**
   * A person at the device verification page: opens it, enters {@code userCode} and presses
   * {@code allow} or {@code deny}; the page the provider answers with.
   */
  public String enterUserCode(URI verificationUri, String userCode, String decision) throws Exception {
    if (!verificationUri.getHost().startsWith("127.")) {
      throw new IllegalArgumentException("tests browse loopback only, not " + verificationUri.getHost());
    }
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(verificationUri).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (page.statusCode() != 200 || !page.body().contains("name=\"user_code\"")) {
      throw new AssertionError("no verification page (HTTP " + page.statusCode() + "): " + page.body());
    }
    String form = "user_code=" + URLEncoder.encode(userCode, StandardCharsets.UTF_8) + "&decision=" + decision;
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(verificationUri.resolve("/device"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    return answer.body();
  }

  /** Follows a redirect to the loopback listener; the page it shows. */
  public String open(URI redirect) throws Exception {
    if (!redirect.getHost().startsWith("127.")) {
      throw new IllegalArgumentException("tests browse loopback only, not " + redirect.getHost());
    }
    return http.send(HttpRequest.newBuilder(redirect).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
