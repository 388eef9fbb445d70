package io.keyward.credential.apikey;

import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuer;
import io.keyward.credential.HttpFields;
import io.keyward.credential.HttpFields.Rule;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.Notice;
import java.util.List;

/** Publishes a static API key from a Secret, in a header or (discouraged) a query parameter. */
public final class ApiKeyIssuer implements CredentialIssuer<ApiKeyAuth> {
  @Override
  public Class<ApiKeyAuth> authClass() {
    return ApiKeyAuth.class;
  }

  @Override
  public IssuedCredential issue(ApiKeyAuth auth, IssueContext context) throws CredentialException {
    String key = context.secrets().get(auth.keyRef).strip();
    if (key.isEmpty()) {
      throw CredentialException.terminal("EmptySecretValue", auth.keyRef + " is empty (spec.auth.apiKey.keyRef)");
    }
    HttpFields.requireSecret(Rule.PRINTABLE, key, auth.keyRef, "spec.auth.apiKey.keyRef", "API key");
    var now = context.clock().instant();
    if (auth.in == ApiKeyAuth.Location.query) {
      String param = auth.queryParameter == null || auth.queryParameter.isBlank()
          ? ApiKeyAuth.DEFAULT_QUERY_PARAMETER
          : auth.queryParameter;
      HttpFields.requireSpec(Rule.TOKEN, param, "spec.auth.apiKey.queryParameter", "query parameter name");
      return IssuedCredential.query(param, key, "ApiKey", now).withNotices(List.of(new Notice(
          "ApiKeyInQuery",
          "the API key is sent as query parameter '" + param
              + "'; URLs end up in access logs and proxies, prefer a header where the API allows it")));
    }
    String header = auth.header == null || auth.header.isBlank() ? ApiKeyAuth.DEFAULT_HEADER : auth.header;
    String prefix = auth.prefix == null ? "" : auth.prefix;
    HttpFields.requireSpec(Rule.TOKEN, header, "spec.auth.apiKey.header", "HTTP header name");
    HttpFields.requireSpec(Rule.PRINTABLE, prefix, "spec.auth.apiKey.prefix", "header value prefix");
    return IssuedCredential.header(header, prefix, key, "ApiKey", now);
  }
}
