package io.keyward.credential.oauth2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import io.keyward.local.DemoProvider;
import io.keyward.testing.ConsentBrowser;
import io.keyward.testing.Loopback;
import io.keyward.testing.SteppingClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Grant deviceCode (RFC 8628) through the issuer, against the demo provider on a stepping clock: a
 * started authorization waits and says where to approve it, is polled no faster than the provider
 * asks, becomes refresh tokens that rotate once approved; a denied, expired or rejected one is a
 * terminal failure that starts again only when a person asks.
 */
class DeviceCodeGrantTest {
  static final SecretKeyRef SECRET_REF = new SecretKeyRef("demo-client", "client-secret");

  final SteppingClock clock = new SteppingClock(Instant.now());
  final OAuth2Issuer issuer = new OAuth2Issuer(Loopback.sender());
  final ConsentBrowser person = new ConsentBrowser();
  DemoProvider demo;

  @BeforeEach
  void start() {
    demo = new DemoProvider(0, clock, Duration.ofMinutes(10)).withDeviceCodes(Duration.ofMinutes(5),
        Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    demo.close();
  }

  OAuth2Auth auth() {
    OAuth2Auth a = new OAuth2Auth();
    a.grant = OAuth2Auth.Grant.deviceCode;
    a.tokenUrl = demo.tokenUrl();
    a.deviceAuthorizationUrl = demo.deviceAuthorizationUrl();
    a.clientId = DemoProvider.CLIENT_ID;
    a.clientSecretRef = SECRET_REF;
    a.scopes = List.of("crm.read", "offline_access");
    return a;
  }

  IssueContext context(Map<String, String> state) {
    return new IssueContext(SecretValues.of(Map.of(SECRET_REF, DemoProvider.CLIENT_SECRET)), clock,
        Duration.ofHours(1), state);
  }

  CredentialException attempt(Map<String, String> state) {
    try {
      issuer.issue(auth(), context(state));
    } catch (CredentialException e) {
      return e;
    }
    throw new AssertionError("expected the attempt to wait or fail");
  }

  /** The user code in the message of a waiting attempt. */
  static String userCode(CredentialException waiting) {
    var m = java.util.regex.Pattern.compile("enter the code (\\S+)").matcher(waiting.getMessage());
    assertThat(m.find()).as(waiting.getMessage()).isTrue();
    return m.group(1);
  }

  @Test
  void aStartedAuthorizationWaitsSaysWhereToApproveItAndKeepsTheDeviceCodeToItself() {
    CredentialException started = attempt(Map.of());

    assertThat(started.isDeferred()).isTrue();
    assertThat(started.reason()).isEqualTo("AwaitingAuthorization");
    assertThat(started.errorClass()).isEqualTo("authorization_pending");
    assertThat(started.retryAfter()).contains(Duration.ofSeconds(5));
    assertThat(started.getMessage()).contains("open " + demo.verificationUrl() + " and enter the code ");
    assertThat(started.notice()).hasValueSatisfying(n -> {
      assertThat(n.reason()).isEqualTo("AuthorizationRequested");
      assertThat(n.message()).contains(demo.verificationUrl()).contains(userCode(started));
    });
    String deviceCode = started.rotatedState().get(DeviceAuthorization.DEVICE_CODE);
    assertThat(deviceCode).isNotBlank();
    assertThat(started.getMessage() + started.notice().orElseThrow().message()).doesNotContain(deviceCode);

    clock.advance(Duration.ofSeconds(5));
    CredentialException pending = attempt(started.rotatedState());
    assertThat(pending.isDeferred()).isTrue();
    assertThat(pending.getMessage()).isEqualTo(started.getMessage());
    assertThat(pending.notice()).as("the Event is for the start only").isEmpty();
    assertThat(pending.rotatedState()).as("nothing new to keep").isEqualTo(started.rotatedState());
  }

  @Test
  void pollingTooFastSlowsDownByFiveSecondsForGood() {
    CredentialException started = attempt(Map.of());
    clock.advance(Duration.ofSeconds(5));
    attempt(started.rotatedState()); // pending
    clock.advance(Duration.ofSeconds(1)); // too soon
    CredentialException slowed = attempt(started.rotatedState());
    assertThat(slowed.isDeferred()).isTrue();
    assertThat(slowed.retryAfter()).contains(Duration.ofSeconds(10));
    assertThat(slowed.rotatedState()).containsEntry(DeviceAuthorization.INTERVAL, "10");
  }

  @Test
  void anApprovedAuthorizationIsTheCredentialAndItsRefreshTokenRotatesFromThenOn() throws Exception {
    CredentialException started = attempt(Map.of());
    assertThat(person.enterUserCode(URI.create(demo.verificationUrl()), userCode(started), "allow"))
        .contains("authorized");
    clock.advance(Duration.ofSeconds(5));

    IssuedCredential first = issuer.issue(auth(), context(started.rotatedState()));
    assertThat(first.headerValue()).startsWith("Bearer ");
    assertThat(first.expiresAt()).isEqualTo(first.issuedAt().plus(Duration.ofMinutes(10)));
    String refresh = first.state().get(RefreshTokens.REFRESH_TOKEN);
    assertThat(demo.acceptsRefreshToken(refresh)).isTrue();
    assertThat(first.state()).containsKey(DeviceAuthorization.APPROVED_AT)
        .doesNotContainKey(DeviceAuthorization.DEVICE_CODE);

    clock.advance(Duration.ofMinutes(5));
    IssuedCredential second = issuer.issue(auth(), context(first.state()));
    String rotated = second.state().get(RefreshTokens.REFRESH_TOKEN);
    assertThat(rotated).isNotEqualTo(refresh);
    assertThat(demo.acceptsRefreshToken(rotated)).isTrue();
    assertThat(demo.acceptsRefreshToken(refresh)).isFalse();
    assertThat(issuer.milestone(auth(), first, second)).as("a routine refresh").isEmpty();
  }

  @Test
  void aDeniedAuthorizationWaitsForAPersonToAskAgainWithoutCallingTheProvider() throws Exception {
    CredentialException started = attempt(Map.of());
    person.enterUserCode(URI.create(demo.verificationUrl()), userCode(started), "deny");
    clock.advance(Duration.ofSeconds(5));
    CredentialException denied = attempt(started.rotatedState());
    assertThat(denied.isTerminal()).isTrue();
    assertThat(denied.reason()).isEqualTo("AuthorizationDenied");
    assertThat(denied.getMessage()).contains("denied at the provider").contains("kubectl keyward refresh");
    assertThat(denied.rotatedState()).containsEntry(DeviceAuthorization.OUTCOME, "denied")
        .doesNotContainKey(DeviceAuthorization.DEVICE_CODE);

    demo.close(); // nothing is asked of the provider until a person asks
    assertThatThrownBy(() -> issuer.issue(auth(), context(denied.rotatedState())))
        .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.reason()).isEqualTo("AuthorizationDenied"));
    demo = new DemoProvider(0, clock, Duration.ofMinutes(10));
    CredentialException again = assertThrows(() -> issuer.issue(auth(), context(denied.rotatedState()).withAsked("a person asked again")));
    assertThat(again.reason()).isEqualTo("AwaitingAuthorization");
    assertThat(again.notice()).isPresent();
  }

  @Test
  void aCodeNobodyApprovedInTimeExpiresAndIsNotReplacedInALoop() {
    CredentialException started = attempt(Map.of());
    clock.advance(Duration.ofMinutes(6));
    CredentialException expired = attempt(started.rotatedState());
    assertThat(expired.isTerminal()).isTrue();
    assertThat(expired.reason()).isEqualTo("DeviceCodeExpired");
    assertThat(expired.rotatedState()).containsEntry(DeviceAuthorization.OUTCOME, "expired");
    assertThat(attempt(expired.rotatedState()).reason()).isEqualTo("DeviceCodeExpired");
    CredentialException restarted = assertThrows(() -> issuer.issue(auth(), context(expired.rotatedState()).withAsked("a person asked again")));
    assertThat(restarted.reason()).isEqualTo("AwaitingAuthorization");
    assertThat(userCode(restarted)).isNotEqualTo(userCode(started));
  }

  @Test
  void aRejectedRefreshTokenAsksForANewApprovalAndForgetsTheSpentToken() {
    Map<String, String> spent = Map.of(RefreshTokens.REFRESH_TOKEN, "demo-rt-unknown",
        DeviceAuthorization.APPROVED_AT, clock.instant().toString());
    CredentialException rejected = attempt(spent);
    assertThat(rejected.isTerminal()).isTrue();
    assertThat(rejected.reason()).isEqualTo("ReauthorizationRequired");
    assertThat(rejected.getMessage()).contains("approve a new device authorization");
    assertThat(rejected.rotatedState()).containsEntry(DeviceAuthorization.OUTCOME, "rejected")
        .doesNotContainKey(RefreshTokens.REFRESH_TOKEN);
    assertThat(attempt(rejected.rotatedState()).reason()).isEqualTo("ReauthorizationRequired");
  }

  @Test
  void withoutADeviceAuthorizationEndpointTheFieldIsNamed() {
    OAuth2Auth auth = auth();
    auth.deviceAuthorizationUrl = null;
    assertThatThrownBy(() -> issuer.issue(auth, context(Map.of())))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidConfiguration");
          assertThat(e.getMessage()).startsWith("spec.auth.oauth2.deviceAuthorizationUrl: is not set");
        });
  }

  interface Issue {
    void run() throws CredentialException;
  }

  static CredentialException assertThrows(Issue issue) {
    try {
      issue.run();
    } catch (CredentialException e) {
      return e;
    }
    throw new AssertionError("expected a CredentialException");
  }
}
