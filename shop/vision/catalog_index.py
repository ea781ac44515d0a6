"""The catalog's pictures, analysed once and kept in var/, for visual lookup and as references.

Products that share one picture (the generated catalog draws every product of a
category and colour alike) share one entry: a photo can tell pictures apart,
not products whose pictures are identical, so lookup says how many share it.
The cache is keyed by the pictures' bytes, the product→picture map and the
feature version, and rebuilt when any of them changes. It holds arrays and JSON
only (no pickles).
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

from shop.catalog import PACKAGE_DIR as CATALOG_DIR, Catalog, load_catalog
from shop.vision.features import Features, extract

logger = logging.getLogger(__name__)

FEATURE_VERSION = "1"
PROJECT_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Picture:
    sha256: str
    features: Features
    product_ids: tuple[str, ...]


class CatalogIndex:
    def __init__(self, pictures: list[Picture], catalog: Catalog) -> None:
        self.pictures = pictures
        self.catalog = catalog
        self._by_product = {pid: pic for pic in pictures for pid in pic.product_ids}

    def picture_of(self, product_id: str) -> Picture | None:
        return self._by_product.get(product_id)

    def name(self, product_id: str) -> str:
        return self.catalog.product(product_id)["name"]

    @classmethod
    def load(cls, catalog: Catalog | None = None, cache_dir: Path | None = None) -> "CatalogIndex":
        catalog = catalog or load_catalog()
        cache_dir = Path(cache_dir or os.environ.get("SHOP_VISION_CACHE_DIR") or PROJECT_DIR / "var" / "vision")
        files: dict[str, list[str]] = {}
        digests: dict[str, str] = {}
        for product in catalog.products:
            path = (CATALOG_DIR / product["image"]).resolve()
            if CATALOG_DIR not in path.parents or not path.is_file():
                logger.warning("product %s has no picture at %s", product["id"], product["image"])
                continue
            digest = digests.get(str(path)) or hashlib.sha256(path.read_bytes()).hexdigest()
            digests[str(path)] = digest
            files.setdefault(digest, []).append(product["id"])
        key = hashlib.sha256(json.dumps([FEATURE_VERSION, sorted(files.items())]).encode()).hexdigest()
        cached = _read_cache(cache_dir, key)
        if cached is not None:
            return cls(cached, catalog)
        by_digest = {d: p for p, d in digests.items()}
        pictures = [Picture(d, extract(Path(by_digest[d])), tuple(ids)) for d, ids in sorted(files.items())]
        _write_cache(cache_dir, key, pictures)
        logger.info("catalog picture index built: %d pictures for %d products", len(pictures), len(catalog.products))
        return cls(pictures, catalog)


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
