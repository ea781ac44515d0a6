"""What the dialogue asks of vision: a verdict on a complaint photo, products a photo shows."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from shop.media import MediaRejected, MediaStore

from shop.vision.catalog_index import CatalogIndex, catalog_index
from shop.vision.colours import NAMED_RGB, lab_of_name
from shop.vision.compare import Reference, Verdict, compare
from shop.vision.features import Unreadable, extract
from shop.vision.lookup import Match, lookup

logger = logging.getLogger(__name__)

UNREADABLE = "照片里没能找到商品，麻烦您在光线充足处把商品平铺、完整地拍一张。"


def references(items: Iterable[tuple[str, str | None]], index: CatalogIndex) -> list[Reference]:
    """Catalog pictures of (product id, ordered colour) pairs, in the ordered colour when it is named.

    The catalog draws each product in its first colour; a shopper who ordered the
    black one should be compared with black, not with the picture's white. The picture
    is recoloured to the ordered colour (its print keeps its colours, so the outline
    and print the photo is compared with are those of the ordered variant); where it
    cannot be, the picture's shape is kept and only the colour compared is the ordered one.
    """
    out, seen = [], set()
    for product_id, colour in items:
        pic = index.picture_of(product_id)
        if pic is None or (product_id, colour) in seen:
            continue
        seen.add((product_id, colour))
        lab = lab_of_name(colour) if colour else None
        features = pic.features
        if lab is not None:
            features = index.features_in(product_id, NAMED_RGB[colour]) or pic.features
        out.append(Reference(product_id, index.name(product_id), features,
                             colour if lab is not None else None, lab))
    return out


def mismatch_verdict(photo: Path | bytes, items: Iterable[tuple[str, str | None]],
                     index: CatalogIndex | None = None) -> Verdict:
    index = index or catalog_index()
    refs = references(items, index)
    if not refs:
        return Verdict("unclear", "没有找到这件商品的商品图，无法自动比对。")
    try:
        features = extract(photo)
    except Unreadable:
        return Verdict("unclear", UNREADABLE)
    return compare(features, refs)


def visual_lookup(photo: Path | bytes, index: CatalogIndex | None = None, top: int = 3) -> list[Match]:
    try:
        features = extract(photo)
    except Unreadable:
        return []
    return lookup(features, index or catalog_index(), top)


# -- from a chat attachment ---------------------------------------------------------------------
@dataclass(frozen=True)
class PhotoResult:
    """What a chat photo gave: a refusal to show the shopper, or the stored photo and what it shows."""
    refused: str | None = None          # a polite Chinese request to resend
    media_id: str | None = None
    matches: tuple[Match, ...] = ()
    verdict: Verdict | None = None


def photo_lookup(attachment: dict, store: MediaStore) -> PhotoResult:
    stored = _fetch(attachment, store)
    if isinstance(stored, PhotoResult):
        return stored
    try:
        return PhotoResult(media_id=stored.media_id, matches=tuple(visual_lookup(stored.path)))
    except Exception:  # a picture the analysis chokes on must not cost the shopper an answer
        logger.exception("visual lookup failed on %s", stored.media_id)
        return PhotoResult(media_id=stored.media_id)


def photo_verdict(attachment: dict, store: MediaStore, items: Iterable[tuple[str, str | None]]) -> PhotoResult:
    stored = _fetch(attachment, store)
    if isinstance(stored, PhotoResult):
        return stored
    try:
        verdict = mismatch_verdict(stored.path, items)
    except Exception:
        logger.exception("photo comparison failed on %s", stored.media_id)
        verdict = Verdict("unclear", "照片已收到，自动比对暂时没能完成，会由人工核实。")
    return PhotoResult(media_id=stored.media_id, verdict=verdict)


def _fetch(attachment: dict, store: MediaStore):
    try:
        return store.fetch(attachment, "image")
    except MediaRejected as e:
        logger.info("photo refused: %s", e)
        return PhotoResult(refused=e.message)
