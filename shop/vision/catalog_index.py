"""The catalog's pictures, analysed once and kept in var/, for visual lookup and as references.

Every product of the generated catalog has a picture of its own
(shop/catalog/pictures.py); products that do share one picture (a catalog may
reuse a photo) share one entry, and lookup says how many share it. The cache is
keyed by the pictures' bytes, the product→picture map and the feature version,
and rebuilt when any of them changes. It holds arrays and JSON only (no pickles).

A picture shows a product in one colour (the catalog's first). A complaint about
another colour variant is compared with the picture recoloured to that variant
(``features_in``): the item's main colour becomes the ordered one and its print
keeps its colours, which is how the catalog draws variants.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from skimage.color import rgb2lab

from shop.catalog import PACKAGE_DIR as CATALOG_DIR, Catalog, load_catalog
from shop.vision.features import BG_DELTA, Features, Unreadable, extract

logger = logging.getLogger(__name__)

FEATURE_VERSION = "1"
PROJECT_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Picture:
    sha256: str
    features: Features
    product_ids: tuple[str, ...]


class CatalogIndex:
    def __init__(self, pictures: list[Picture], catalog: Catalog, paths: dict[str, Path] | None = None) -> None:
        self.pictures = pictures
        self.catalog = catalog
        self._by_product = {pid: pic for pic in pictures for pid in pic.product_ids}
        self._paths = paths or {}
        self._in_colour: dict[tuple[str, tuple[int, int, int]], Features | None] = {}
        self._masks: np.ndarray | None = None

    def picture_of(self, product_id: str) -> Picture | None:
        return self._by_product.get(product_id)

    def masks(self) -> np.ndarray:
        """The pictures' aligned silhouettes, one flattened 0/1 row each, for overlap in one pass."""
        if self._masks is None:
            self._masks = np.stack([p.features.mask.ravel() for p in self.pictures]).astype(np.float32)
        return self._masks

    def features_in(self, product_id: str, rgb: tuple[int, int, int]) -> Features | None:
        """The product's picture as it looks in another colour variant, analysed; None when it
        cannot be drawn that way (no picture file, or the colour would vanish into the backdrop)."""
        pic, path = self.picture_of(product_id), self._paths.get(product_id)
        if pic is None or path is None:
            return None
        key = (pic.sha256, tuple(int(v) for v in rgb))
        if key not in self._in_colour:  # a few ms each; an order names few colours
            with Image.open(path) as img:
                variant = recoloured(img.convert("RGB"), key[1])
            try:
                self._in_colour[key] = None if variant is None else extract(variant)
            except Unreadable:
                self._in_colour[key] = None
        return self._in_colour[key]

    def name(self, product_id: str) -> str:
        return self.catalog.product(product_id)["name"]

    @classmethod
    def load(cls, catalog: Catalog | None = None, cache_dir: Path | None = None) -> "CatalogIndex":
        catalog = catalog or load_catalog()
        cache_dir = Path(cache_dir or os.environ.get("SHOP_VISION_CACHE_DIR") or PROJECT_DIR / "var" / "vision")
        files: dict[str, list[str]] = {}
        digests: dict[str, str] = {}
        paths: dict[str, Path] = {}
        for product in catalog.products:
            path = (CATALOG_DIR / product["image"]).resolve()
            if CATALOG_DIR not in path.parents or not path.is_file():
                logger.warning("product %s has no picture at %s", product["id"], product["image"])
                continue
            digest = digests.get(str(path)) or hashlib.sha256(path.read_bytes()).hexdigest()
            digests[str(path)] = digest
            files.setdefault(digest, []).append(product["id"])
            paths[product["id"]] = path
        key = hashlib.sha256(json.dumps([FEATURE_VERSION, sorted(files.items())]).encode()).hexdigest()
        cached = _read_cache(cache_dir, key)
        if cached is not None:
            return cls(cached, catalog, paths)
        by_digest = {d: p for p, d in digests.items()}
        pictures = [Picture(d, extract(Path(by_digest[d])), tuple(ids)) for d, ids in sorted(files.items())]
        _write_cache(cache_dir, key, pictures)
        logger.info("catalog picture index built: %d pictures for %d products", len(pictures), len(catalog.products))
        return cls(pictures, catalog, paths)


def recoloured(img: Image.Image, rgb: tuple[int, int, int]) -> Image.Image | None:
    """A flat-coloured catalog picture with its item's main colour changed to ``rgb``.

    The item's main colour is its most frequent colour; a print colour equal to ``rgb``
    takes the main colour instead, so the print stays visible (a colourway). Only exact
    colours are changed: catalog pictures are drawn without antialiasing. None when the
    new colour is too close to the backdrop to be seen on it.
    """
    arr = np.asarray(img.convert("RGB"))
    lab = rgb2lab(arr)
    ring = np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])
    bg = np.median(ring, axis=0)
    item = np.linalg.norm(lab - bg, axis=2) > BG_DELTA
    if not item.any():
        return None
    colours, counts = np.unique(arr[item], axis=0, return_counts=True)
    body = colours[np.argmax(counts)]
    target = np.array(rgb, dtype=np.uint8)
    target_lab = rgb2lab(target[None, None, :].astype(np.float64) / 255.0)[0, 0]
    if np.linalg.norm(target_lab - bg) <= 2 * BG_DELTA:
        return None
    colour_labs = rgb2lab(colours[None].astype(np.float64) / 255.0)[0]
    out = arr.copy()
    is_body = np.all(arr == body, axis=2) & item
    for colour, colour_lab in zip(colours, colour_labs):
        if not np.array_equal(colour, body) and np.linalg.norm(colour_lab - target_lab) < 3.0:
            out[np.all(arr == colour, axis=2) & item] = body
    out[is_body] = target
    return Image.fromarray(out)


def _write_cache(cache_dir: Path, key: str, pictures: list[Picture]) -> None:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / f".catalog_index.{os.getpid()}.npz"
        np.savez_compressed(tmp, shape=np.stack([p.features.shape for p in pictures]),
                            mask=np.stack([p.features.mask for p in pictures]),
                            lab=np.array([p.features.main_lab for p in pictures]),
                            share=np.array([p.features.item_share for p in pictures]))
        meta = {"key": key, "pictures": [{"sha256": p.sha256, "products": list(p.product_ids)} for p in pictures]}
        tmp_meta = cache_dir / f".catalog_index.{os.getpid()}.json"
        tmp_meta.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache_dir / "catalog_index.npz")
        os.replace(tmp_meta, cache_dir / "catalog_index.json")
    except OSError as e:  # a read-only var/ costs a rebuild next start, not the answer
        logger.warning("cannot cache the catalog picture index in %s: %s", cache_dir, e)


def _read_cache(cache_dir: Path, key: str) -> list[Picture] | None:
    try:
        meta = json.loads((cache_dir / "catalog_index.json").read_text(encoding="utf-8"))
        if meta.get("key") != key:
            return None
        with np.load(cache_dir / "catalog_index.npz", allow_pickle=False) as data:
            shape, mask, lab, share = data["shape"], data["mask"], data["lab"], data["share"]
        entries = meta["pictures"]
        if not (len(entries) == len(shape) == len(mask) == len(lab) == len(share)):
            return None
        return [Picture(e["sha256"], Features(shape[i], mask[i].astype(bool), ((tuple(lab[i]), 1.0),),
                                              float(share[i]), 1.0), tuple(e["products"]))
                for i, e in enumerate(entries)]
    except (OSError, ValueError, KeyError, TypeError):
        return None


_lock = threading.Lock()
_index: CatalogIndex | None = None


def catalog_index() -> CatalogIndex:
    """The process-wide index (the action server builds or loads it on first use)."""
    global _index
    with _lock:
        if _index is None:
            _index = CatalogIndex.load()
        return _index
