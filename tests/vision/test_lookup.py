"""Visual lookup on altered catalog pictures, and the cached index of the catalog's pictures."""
from __future__ import annotations

import json
import random
import shutil

import pytest

from shop.vision import confident, visual_lookup
from shop.vision import synth
from shop.vision.catalog_index import CatalogIndex
from tests.vision.helpers import CATALOG, photo, picture


def _unique_picture_products(index):
    return [p.product_ids[0] for p in index.pictures if len(p.product_ids) == 1]


@pytest.mark.parametrize("alter", ["rotate", "crop", "jpeg", "screenshot"])
def test_a_product_with_its_own_picture_is_found_confidently(alter, shared_index):
    rng = random.Random(3)
    for pid in _unique_picture_products(shared_index)[:4]:
        base = picture(pid)
        img = {"rotate": lambda: synth.rotate(base, -15), "crop": lambda: synth.crop(base, rng),
               "jpeg": lambda: synth.jpeg(base, 25), "screenshot": lambda: synth.screenshot(base, rng)}[alter]()
        matches = visual_lookup(photo(img), shared_index)
        assert len(matches) == 3 and matches[0].product_id == pid, (pid, matches)
        assert confident(matches) == matches[0] and matches[0].shared_by == 1


def test_products_sharing_a_picture_are_listed_not_guessed(shared_index):
    shared = max(shared_index.pictures, key=lambda p: len(p.product_ids))
    matches = visual_lookup(photo(picture(shared.product_ids[0])), shared_index)
    assert [m.product_id for m in matches] == list(shared.product_ids[:3])
    assert confident(matches) is None and all(m.shared_by == len(shared.product_ids) for m in matches)
    assert matches[0].similarity > 0.8 and matches[0].confidence <= 1 / len(shared.product_ids) + 1e-6


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
    synth.recolour(picture("P0001"), (200, 40, 45)).resize((64, 64)).save(images / "images" / "P0001.png")
    rebuilt = CatalogIndex.load(CATALOG, cache_dir=cache)
    assert calls and rebuilt.picture_of("P0001").product_ids == ("P0001",)
    assert json.loads((cache / "catalog_index.json").read_text(encoding="utf-8"))["key"] != meta["key"]


def test_a_corrupt_cache_is_rebuilt_not_trusted(tmp_path):
    cache = tmp_path / "cache"
    CatalogIndex.load(CATALOG, cache_dir=cache)
    (cache / "catalog_index.npz").write_bytes(b"not numpy")
    index = CatalogIndex.load(CATALOG, cache_dir=cache)
    assert len(index.pictures) > 50 and index.picture_of("P0001") is not None
