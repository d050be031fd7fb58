"""Organisations: creation and import by the region, onboarding into Keycloak, plugins per organisation."""
