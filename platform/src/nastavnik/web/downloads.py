"""Files the pages and the API hand out: a Russian file name that every browser keeps."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Response

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, media_type: str, filename: str, fallback: str) -> Response[bytes]:
    """A download named ``filename`` (RFC 6266 ``filename*``), ``fallback`` for clients without it.

    HTTP headers are Latin-1: a Cyrillic name goes percent-encoded as UTF-8, never raw.
    """
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(content=content, media_type=media_type, headers={"Content-Disposition": disposition})
