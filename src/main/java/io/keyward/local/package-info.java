/**
 * Local mode ({@code keyward local}): the real operator against an embedded Kubernetes API (the
 * Fabric8 mock server in CRUD mode, taught enough discovery for the real kubectl), a built-in demo
 * provider, and a live table of connectors.
 */
package io.keyward.local;
