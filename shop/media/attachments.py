"""Attachments as the channels put them in message metadata, and back from a stored reference."""
from __future__ import annotations

import re
from typing import Any

_OWN_ID = re.compile(r"^(image|voice)-[0-9a-f]{64}\.[a-z0-9]{2,4}$")


def first_attachment(metadata: Any, kind: str) -> dict | None:
    """The first attachment of ``kind`` ("image" / "voice") with something to fetch it by."""
    if not isinstance(metadata, dict):
        return None
    attachments = metadata.get("attachments")
    if not isinstance(attachments, list):
        return None
    for att in attachments:
        if isinstance(att, dict) and att.get("type") == kind and any(
                isinstance(att.get(k), str) and att.get(k) for k in ("url", "path", "media_id")):
            return att
    return None


def attachment_from_ref(ref: Any, kind: str) -> dict | None:
    """A reference kept in a slot (a URL, a path inside the store, or a store media id) as an attachment."""
    if not isinstance(ref, str) or not ref.strip():
        return None
    ref = ref.strip()
    if ref.startswith(("http://", "https://")):
        return {"type": kind, "url": ref}
    if _OWN_ID.match(ref):
        return {"type": kind, "media_id": ref}
    return {"type": kind, "path": ref}
