"""Content-addressed store for the images and voice messages shoppers send.

Files live at ``<root>/<kind>/<kind>-<sha256>.<ext>``; the media id is the file
name, so a caller never names a path and an id is checked against one strict
pattern before it touches the file system. Writes go through a temporary file
and a rename, so a reader never sees half a file.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

from shop.media.errors import MediaRejected
from shop.media.fetch import FetchPolicy, download
from shop.media.images import clean_image
from shop.media.sniff import TYPES, sniff

KINDS = ("image", "voice")
DEFAULT_MAX_BYTES = {"image": 5 * 1024 * 1024, "voice": 2 * 1024 * 1024}
_ID = re.compile(r"^(image|voice)-([0-9a-f]{64})\.(" + "|".join(TYPES) + r")$")
_PLATFORM_ID = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")


@dataclass(frozen=True)
class StoredMedia:
    media_id: str
    kind: str  # "image" | "voice"
    path: Path
    mime: str
    size: int
    sha256: str


class MediaStore:
    def __init__(self, root: Path, max_bytes: Mapping[str, int] | None = None, *,
                 allowed_hosts: tuple[str, ...] = (), allow_private: bool = False,
                 platform_url: str | None = None, timeout: float = 10.0) -> None:
        self.root = Path(root).resolve()
        self.max_bytes = {**DEFAULT_MAX_BYTES, **dict(max_bytes or {})}
        self.policy = FetchPolicy(tuple(allowed_hosts), allow_private, timeout)
        # e.g. https://api.weixin.qq.com/cgi-bin/media/get?media_id={media_id}
        self.platform_url = platform_url

    # -- saving and reading -------------------------------------------------

    def save(self, data: bytes, kind: str) -> StoredMedia:
        kind = _kind(kind)
        if not isinstance(data, (bytes, bytearray)):
            raise MediaRejected("bad_reference", "data must be bytes")
        if not data:
            raise MediaRejected("empty", "no bytes")
        if len(data) > self.max_bytes[kind]:
            raise MediaRejected("too_large", f"{len(data)} bytes > {self.max_bytes[kind]}")
        found = sniff(bytes(data[:64]))
        if found is None or found.kind != kind:
            raise MediaRejected("unsupported_type", f"not a supported {kind} format")
        ext = found.ext
        if kind == "image":
            data, ext = clean_image(bytes(data), ext)
        digest = hashlib.sha256(data).hexdigest()
        media_id = f"{kind}-{digest}.{ext}"
        path = self.root / kind / media_id
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredMedia(media_id, kind, path, TYPES[ext].mime, len(data), digest)

    def get(self, media_id: str) -> StoredMedia:
        m = _ID.match(media_id) if isinstance(media_id, str) else None
        if not m or TYPES[m.group(3)].kind != m.group(1):
            raise MediaRejected("bad_id", "not a media id")
        kind, digest, ext = m.groups()
        path = self.root / kind / media_id
        if not path.is_file() or path.is_symlink():
            raise MediaRejected("bad_id", "unknown media id")
        return StoredMedia(media_id, kind, path, TYPES[ext].mime, path.stat().st_size, digest)

    # -- attachments from message metadata ----------------------------------

    def fetch(self, attachment: Mapping[str, Any], kind: str) -> StoredMedia:
        """Store the media an attachment refers to: ``url``, ``path`` (inside the root) or ``media_id``."""
        kind = _kind(kind)
        if not isinstance(attachment, Mapping):
            raise MediaRejected("bad_reference", "attachment must be a mapping")
        declared = attachment.get("type")
        if declared is not None and declared != kind:
            raise MediaRejected("unsupported_type", f"attachment is {declared!r}, wanted {kind}")
        url, path, platform_id = attachment.get("url"), attachment.get("path"), attachment.get("media_id")
        if isinstance(platform_id, str) and _ID.match(platform_id):
            return self.get(platform_id)  # one of ours, already stored
        if isinstance(path, str) and path:
            return self.save(self._read_inside_root(path, kind), kind)
        if isinstance(url, str) and url:
            return self.save(download(url, self.policy, self.max_bytes[kind]), kind)
        if isinstance(platform_id, str) and platform_id:
            if not _PLATFORM_ID.match(platform_id):
                raise MediaRejected("bad_id", "platform media id has unexpected characters")
            if not self.platform_url:
                raise MediaRejected("fetch_failed", "no platform media URL configured")
            url = self.platform_url.replace("{media_id}", quote(platform_id, safe=""))
            return self.save(download(url, self.policy, self.max_bytes[kind]), kind)
        raise MediaRejected("bad_reference", "attachment has no url, path or media_id")

    def _read_inside_root(self, ref: str, kind: str) -> bytes:
        if "\x00" in ref or len(ref) > 1024:
            raise MediaRejected("bad_id", "bad path")
        candidate = (self.root / ref).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            raise MediaRejected("bad_id", "path outside the media store")
        if not candidate.is_file():
            raise MediaRejected("bad_id", "no such file in the media store")
        limit = self.max_bytes[kind]
        with open(candidate, "rb") as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise MediaRejected("too_large", f"file over {limit} bytes")
        return data


def _kind(kind: Any) -> str:
    if kind not in KINDS:
        raise MediaRejected("unsupported_type", f"kind must be one of {KINDS}")
    return kind
