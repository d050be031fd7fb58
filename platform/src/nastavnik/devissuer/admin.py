"""Keycloak's admin REST API, the part the platform's onboarding uses (filled in below)."""

from __future__ import annotations

from typing import Any

ADMIN_HANDLERS: list[Any] = []
