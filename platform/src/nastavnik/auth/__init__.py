"""Single sign-on through Keycloak: verifying access tokens, the page login flow, onboarding."""
