"""The scan of a training certificate: a PDF, JPEG or PNG of at most 5 MB, told by its first bytes.

A file's name says nothing about what it is (a «certificate.pdf» may be an executable or a Word file): the
kind is read from the signature at the start of the content, and the name is kept only to offer the file
back under it. Anything else is refused in Russian beside the «file» field, with nothing stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from nastavnik.errors import FieldError, InvalidInput

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class CertificateFile:
    content: bytes
    kind: str
    """pdf, jpeg or png: what the content's signature says it is."""
    name: str


def _refused(message: str) -> InvalidInput:
    return InvalidInput("Файл документа об обучении не принят.", [FieldError("file", message)])


def kind_of(content: bytes) -> str | None:
    """pdf, jpeg or png by the content's signature; None for anything else."""
    return next((kind for signature, kind in SIGNATURES if content.startswith(signature)), None)


def check_certificate(
    content: bytes | None, filename: str, *, required: bool = False
) -> CertificateFile | None:
    """The upload as a certificate scan, or InvalidInput naming the «file» field; None when no file was
    chosen and none is ``required``."""
    if not content:
        if required:
            raise _refused("выберите файл: PDF, JPEG или PNG")
        return None
    if len(content) > MAX_CERTIFICATE_BYTES:
        raise _refused("файл больше 5 МБ: уменьшите скан или сохраните его в PDF")
    kind = kind_of(content)
    if kind is None:
        raise _refused("это не PDF, JPEG или PNG: загрузите скан документа в одном из этих форматов")
    name = " ".join(filename.replace("/", " ").replace("\\", " ").replace("\x00", "").split())[:MAX_NAME]
    return CertificateFile(content, kind, name or f"документ.{EXTENSIONS[kind]}")
