"""Per-organisation activation and settings of a plugin, keyed by (organisation, plugin)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps


class OrgPluginSetting(TenantMixin, Timestamps, Base):
    __tablename__ = "org_plugin_setting"

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    plugin: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
