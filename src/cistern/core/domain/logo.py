"""Which uploaded files may be the district's logo: PNG, JPEG or a plain SVG, at most 1 MB.

The type is decided by the file's content, never by its name or the browser's claim. An SVG
may carry script; one with a script element, an event-handler attribute or a javascript: link
is refused (the logo is also served with a restrictive Content-Security-Policy).
"""

from __future__ import annotations

import re

MAX_LOGO_BYTES = 1024 * 1024

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

_SVG_ROOT = re.compile(rb"<svg[\s>]", re.IGNORECASE)
_SVG_ACTIVE = re.compile(
    rb"<script|<foreignobject|\son[a-z]+\s*=|javascript:|<!entity", re.IGNORECASE
)

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}


class LogoRejected(ValueError):
    """The file cannot be the logo; the message says why."""


def logo_kind(content: bytes) -> str:
    """``"png"``, ``"jpeg"`` or ``"svg"`` for an acceptable logo; raises LogoRejected otherwise."""
    if len(content) > MAX_LOGO_BYTES:
        raise LogoRejected("too_large")
    if content.startswith(PNG_MAGIC):
        return "png"
    if content.startswith(JPEG_MAGIC):
        return "jpeg"
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE svg")) and _SVG_ROOT.search(
        content
    ):
        if _SVG_ACTIVE.search(content):
            raise LogoRejected("svg_active")
        return "svg"
    raise LogoRejected("wrong_type")
