"""A region's own .docx templates of the documents the platform generates: shared reference data.

One row per region and document code. The template holds the region's wording and layout with
fields to fill (``{{ number }}``), no personal data; the person who uploaded it is named by their
login identity. Reverting to the standard template deletes the row.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base

MAX_CONTENT_BYTES = 5 * 1024 * 1024
CODE_PATTERN = "^[a-z_]{2,64}$"


class RegionDocumentTemplate(Base):
    __tablename__ = "region_document_template"
    __table_args__ = (
        CheckConstraint(f"code ~ '{CODE_PATTERN}'", name="code_format"),
        # The service refuses more with a message; the database keeps the bound whatever writes.
        CheckConstraint(f"octet_length(content) <= {MAX_CONTENT_BYTES}", name="content_size"),
    )

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    file_name: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity.id"))
