"""A Keycloak-compatible development issuer, for tests and the demo only.

No Keycloak server can be installed where Nastavnik is built and tested, so this
issuer stands in for it: it loads the realm export from ``deploy/keycloak/`` (which
tests the export), serves the OpenID Connect and admin endpoints that python-keycloak
and the platform use, signs real RS256 tokens and enforces what Keycloak enforces
(PKCE S256, exact redirect URIs, client secrets, single-use codes, token lifetimes).
It refuses to start unless explicitly enabled, and never in production.
"""
