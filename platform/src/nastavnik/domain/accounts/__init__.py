"""Accounts: Keycloak accounts for an organisation's people, one-time passwords, access sheets."""
