/**
 * Local mode ({@code keyward local}): the real operator against an embedded Kubernetes API (the
 * Fabric8 mock server in CRUD mode, taught what the real kubectl needs: discovery, OpenAPI v3,
 * admission of ApiConnector writes through {@link io.keyward.local.LocalAdmission}, Event field
 * selectors), a built-in demo provider, and a live table of connectors.
 */
package io.keyward.local;
