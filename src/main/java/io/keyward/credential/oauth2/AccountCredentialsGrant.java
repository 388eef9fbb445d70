package io.keyward.credential.oauth2;

import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.GrantType;
import java.util.List;
import java.util.Map;

/**
 * Zoom's server-to-server grant: {@code grant_type=account_credentials}, the client authenticated
 * as for client credentials, the account in an extra {@code account_id} parameter. Nimbus builds
 * and sends the request as for any grant; only the grant type's name differs.
 */
final class AccountCredentialsGrant extends AuthorizationGrant {
  static final GrantType TYPE = new GrantType("account_credentials");

  AccountCredentialsGrant() {
    super(TYPE);
  }

  @Override
  public Map<String, List<String>> toParameters() {
    return Map.of("grant_type", List.of(TYPE.getValue()));
  }
}
