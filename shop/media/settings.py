"""The media store the actions use, configured from the environment.

SHOP_MEDIA_DIR             where files are kept (default var/media in the project)
SHOP_MEDIA_ALLOWED_HOSTS   comma-separated hosts media may be fetched from; ``.example.com``
                           allows a domain and its subdomains. Default: none.
SHOP_MEDIA_ALLOW_PRIVATE   1 to allow hosts that resolve to loopback/private addresses (tests, a
                           CDN inside the shop's own network). Default: off.
SHOP_MEDIA_PLATFORM_URL    URL template for platform media ids, with ``{media_id}``, e.g.
                           https://api.weixin.qq.com/cgi-bin/media/get?access_token=...&media_id={media_id}
SHOP_MEDIA_FETCH_TIMEOUT   seconds per download (default 10)
SHOP_MEDIA_MAX_IMAGE_BYTES / SHOP_MEDIA_MAX_VOICE_BYTES   size caps (defaults 5 MiB / 2 MiB)
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from shop.media.fetch import split_hosts
from shop.media.store import DEFAULT_MAX_BYTES, MediaStore

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_MEDIA_DIR = PROJECT_DIR / "var" / "media"


def media_store(env: Mapping[str, str] | None = None) -> MediaStore:
    env = os.environ if env is None else env
    root = Path(env.get("SHOP_MEDIA_DIR") or DEFAULT_MEDIA_DIR)
    if not root.is_absolute():
        root = PROJECT_DIR / root
    caps = {"image": _int(env, "SHOP_MEDIA_MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES["image"]),
            "voice": _int(env, "SHOP_MEDIA_MAX_VOICE_BYTES", DEFAULT_MAX_BYTES["voice"])}
    return MediaStore(root, caps,
                      allowed_hosts=split_hosts(env.get("SHOP_MEDIA_ALLOWED_HOSTS")),
                      allow_private=env.get("SHOP_MEDIA_ALLOW_PRIVATE", "").strip().lower() in ("1", "true", "yes"),
                      platform_url=env.get("SHOP_MEDIA_PLATFORM_URL") or None,
                      timeout=float(_int(env, "SHOP_MEDIA_FETCH_TIMEOUT", 10)))


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    value = int(raw)  # a typo in deployment settings should stop the server, not be guessed around
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return value
