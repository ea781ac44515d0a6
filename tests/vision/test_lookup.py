"""Visual lookup on altered catalog pictures, and the cached index of the catalog's pictures."""
from __future__ import annotations

import json
import random
import shutil
from collections import Counter

import pytest

from shop.vision import confident, visual_lookup
from shop.vision import synth
from shop.vision.catalog_index import CatalogIndex
from tests.vision.helpers import CATALOG, index_sharing_a_picture, photo, picture


def _lookalikes() -> list[str]:
    """Products of the catalog's largest group of one category and first colour (25 black devices):
    told apart only by their silhouette variant, proportions and print."""
    groups = Counter((p["category"], p["colors"][0]) for p in CATALOG.products)
    category, colour = groups.most_common(1)[0][0]
    return [p["id"] for p in CATALOG.products if (p["category"], p["colors"][0]) == (category, colour)]


@pytest.mark.parametrize("alter", ["rotate", "crop", "jpeg", "screenshot"])
def test_a_product_is_found_confidently_among_its_lookalikes(alter, shared_index):
    rng = random.Random(3)
    group = _lookalikes()
    assert len(group) >= 20
    for pid in group[::4]:
        base = picture(pid)
        img = {"rotate": lambda: synth.rotate(base, -15), "crop": lambda: synth.crop(base, rng),
               "jpeg": lambda: synth.jpeg(base, 25), "screenshot": lambda: synth.screenshot(base, rng)}[alter]()
        matches = visual_lookup(photo(img), shared_index)
        assert len(matches) == 3 and matches[0].product_id == pid, (pid, matches)
        assert confident(matches) == matches[0] and matches[0].shared_by == 1


def test_products_sharing_a_picture_are_listed_not_guessed(tmp_path, monkeypatch):
    shared = ("P0001", "P0002", "P0003")
    index = index_sharing_a_picture(tmp_path, monkeypatch, shared)
    assert index.picture_of("P0002").product_ids == shared and len(index.pictures) == len(CATALOG.products) - 2
    matches = visual_lookup(photo(picture("P0001")), index)
    assert [m.product_id for m in matches] == list(shared)
    assert confident(matches) is None and all(m.shared_by == 3 for m in matches)
    assert matches[0].similarity > 0.8 and matches[0].confidence <= 1 / 3 + 1e-6


def test_a_blank_photo_finds_nothing(shared_index):
    from PIL import Image
    assert visual_lookup(synth.encode(Image.new("RGB", (100, 100), (200, 200, 200))), shared_index) == []


def test_index_is_cached_and_rebuilt_when_pictures_change(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = CatalogIndex.load(CATALOG, cache_dir=cache)
    meta = json.loads((cache / "catalog_index.json").read_text(encoding="utf-8"))
    assert len(meta["pictures"]) == len(first.pictures) and (cache / "catalog_index.npz").exists()
    calls = []
    import shop.vision.catalog_index as ci
    real = ci.extract
    monkeypatch.setattr(ci, "extract", lambda path: calls.append(path) or real(path))
    again = CatalogIndex.load(CATALOG, cache_dir=cache)
    assert calls == [] and [p.product_ids for p in again.pictures] == [p.product_ids for p in first.pictures]
    # One product gets a new picture: the key changes and the index is rebuilt.
    images = tmp_path / "catalog"
    shutil.copytree(ci.CATALOG_DIR / "images", images / "images")
    monkeypatch.setattr(ci, "CATALOG_DIR", images)
    red = synth.recolour(synth.flat_picture(images / "images" / "P0001.png"), (200, 40, 45))
    red.save(images / "images" / "P0001.png")
    rebuilt = CatalogIndex.load(CATALOG, cache_dir=cache)
    assert calls and rebuilt.picture_of("P0001").product_ids == ("P0001",)
    assert json.loads((cache / "catalog_index.json").read_text(encoding="utf-8"))["key"] != meta["key"]


def test_a_corrupt_cache_is_rebuilt_not_trusted(tmp_path):
    cache = tmp_path / "cache"
    CatalogIndex.load(CATALOG, cache_dir=cache)
    (cache / "catalog_index.npz").write_bytes(b"not numpy")
    index = CatalogIndex.load(CATALOG, cache_dir=cache)
    assert len(index.pictures) > 50 and index.picture_of("P0001") is not None
