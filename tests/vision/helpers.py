"""Shopper photos made from the catalog's own pictures, and the media store / index the actions use."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from shop.catalog import PACKAGE_DIR, load_catalog
from shop.catalog import COLORS
from shop.vision import catalog_index as index_module
from shop.vision import synth
from shop.vision.catalog_index import CatalogIndex

CATALOG = load_catalog()


def picture(product_id: str):
    return synth.catalog_picture(PACKAGE_DIR / CATALOG.product(product_id)["image"])


def photo(img, seed: int = 0, quality: int = 85) -> bytes:
    """As a phone would send it: a little blur and noise, JPEG."""
    return synth.encode(synth.photo_noise(img, random.Random(seed)), "JPEG", quality=quality)


def in_colour(product_id: str, colour: str):
    flat = synth.flat_picture(PACKAGE_DIR / CATALOG.product(product_id)["image"])
    return synth.catalog_picture(synth.recolour(flat, COLORS[colour]))


def other_colour(colour: str) -> str:
    """A catalog colour clearly unlike ``colour`` (blue, unless that is too close)."""
    return "蓝色" if colour not in ("蓝色", "藏青色", "紫色") else "橙色"


def index_sharing_a_picture(tmp_path: Path, monkeypatch, product_ids: tuple[str, ...]) -> CatalogIndex:
    """An index of the catalog in which the products given all show the first one's picture.

    The generated catalog gives every product a picture of its own; a real catalog may reuse
    one photo for several products, and lookup must then list them rather than guess.
    """
    images = tmp_path / "catalog"
    shutil.copytree(index_module.CATALOG_DIR / "images", images / "images")
    for pid in product_ids[1:]:
        shutil.copyfile(images / "images" / f"{product_ids[0]}.png", images / "images" / f"{pid}.png")
    monkeypatch.setattr(index_module, "CATALOG_DIR", images)
    return CatalogIndex.load(CATALOG, cache_dir=tmp_path / "cache")


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory) -> CatalogIndex:
    return CatalogIndex.load(CATALOG, cache_dir=tmp_path_factory.mktemp("vision_index"))


@pytest.fixture
def media_dir(tmp_path, monkeypatch, shared_index) -> Path:
    """SHOP_MEDIA_DIR for the actions, and the shared index as the process-wide one."""
    root = tmp_path / "media"
    (root / "uploads").mkdir(parents=True)
    monkeypatch.setenv("SHOP_MEDIA_DIR", str(root))
    monkeypatch.delenv("SHOP_MEDIA_ALLOWED_HOSTS", raising=False)
    monkeypatch.setattr(index_module, "_index", shared_index)
    return root
