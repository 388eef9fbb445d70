/**
 * Outbound HTTP, in one place (DESIGN §9): every call Keyward makes to a provider (token requests,
 * token exchanges, JWKS fetches) goes through {@link io.keyward.credential.http.HttpSender}, which
 * owns the rules: a hard deadline on the whole exchange (connect, headers and the full body), a cap
 * on the response size, no redirects, http and https only, and a per-host concurrency cap that
 * defers a call instead of queueing it. No other class builds an {@link java.net.http.HttpClient}
 * (an architecture test keeps it so). No Kubernetes types here.
 */
package io.keyward.credential.http;
