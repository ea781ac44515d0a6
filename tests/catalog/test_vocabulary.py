"""The shop-editable vocabulary (types.yaml, vocabulary.yaml) points only at what the catalog has."""
from __future__ import annotations

import pytest

from shop.catalog import COLORS, load_catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_types_are_unique_and_in_known_categories(catalog):
    names = [t["type"] for t in catalog.types]
    assert len(names) == len(set(names))
    codes = {c["code"] for c in catalog.categories}
    assert {t["category"] for t in catalog.types} <= codes


def test_type_fields_are_well_formed(catalog):
    names = {t["type"] for t in catalog.types}
    profiles = {x for p in catalog.products for x in p["profiles"]}
    for t in catalog.types:
        assert set(t) <= {"type", "category", "synonyms", "broader", "genders", "price", "for", "fits",
                          "from_months"}, t["type"]
        assert set(t["genders"]) <= {"男", "女"}, t["type"]
        low, high = t["price"]
        assert 0 < low <= high, t["type"]
        assert set(t.get("for") or []) <= profiles, t["type"]
        assert set(t.get("fits") or []) <= (names | set(catalog.vocabulary["not_sold"])) - {t["type"]}, t["type"]
        assert all(isinstance(w, str) and w.strip() for w in t["synonyms"] + t["broader"]), t["type"]


def test_a_synonym_means_one_type(catalog):
    seen: dict[str, str] = {}
    for t in catalog.types:
        for word in (t["type"], *t["synonyms"]):
            assert seen.setdefault(word.lower(), t["type"]) == t["type"], f"{word}: {seen[word.lower()]} and {t['type']}"


def test_vocabulary_targets_exist_in_the_catalog(catalog):
    v = catalog.vocabulary
    products = catalog.products
    tags = {x for p in products for x in p["tags"]}
    profiles = {x for p in products for x in p["profiles"]}
    scenes = {x for p in products for x in p["scenes"]}
    materials = {m["name"] for m in catalog.materials}
    assert set(v["categories"]) <= {c["code"] for c in catalog.categories}
    for key, carried in v["attributes"].items():
        # every attribute is carried by at least one tag or product name
        assert any(t in tags or any(t in p["name"] for p in products) for t in carried), key
    assert set(v["attribute_synonyms"].values()) <= set(v["attributes"])
    for word, who in v["audiences"].items():
        assert set(who) <= {"gender", "profile", "adult"} and who, word
        assert who.get("gender") in (None, "男", "女"), word
        assert who.get("profile") in (None, *profiles), word
    assert set(v["skin_types"].values()) <= profiles
    assert set(v["scenes"].values()) <= scenes
    for word, season in v["seasons"].items():
        assert set(season if isinstance(season, list) else [season]) <= {"春", "夏", "秋", "冬"}, word
    types = {t["type"] for t in catalog.types}
    for word, kinds in v["needs"].items():
        assert kinds and set(kinds) <= types, word
    assert all(k.isascii() and k.isalpha() and val for k, val in v["english"].items())
    assert set(v["tag_words"].values()) <= tags
    for word, name_word in v["name_words"].items():
        assert any(name_word in p["name"] for p in products), word
    assert set(v["material_synonyms"].values()) <= materials


def test_goods_not_sold_are_not_also_sold(catalog):
    words = {w.lower() for t in catalog.types for w in (t["type"], *t["synonyms"], *t["broader"])}
    assert not {w.lower() for w in catalog.vocabulary["not_sold"]} & words
    assert set(COLORS) >= {c for p in catalog.products for c in p["colors"]}
