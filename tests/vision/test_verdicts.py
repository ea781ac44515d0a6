"""Mismatch verdicts on photos made from catalog pictures: colour, structure, evidence in Chinese."""
from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from shop.catalog import COLORS, PACKAGE_DIR, pictures
from shop.vision import mismatch_verdict
from shop.vision import synth
from shop.vision.catalog_index import recoloured
from shop.vision.compare import OTHER_SHAPE, rotated, shape_similarity
from shop.vision.features import extract
from shop.vision.service import references
from tests.vision.helpers import CATALOG, in_colour, photo, picture

# One product per drawn shape, each drawn in its first colour.
BY_CATEGORY = {}
for _p in CATALOG.products:
    BY_CATEGORY.setdefault(_p["category"], _p)
FIRSTS = sorted(BY_CATEGORY.values(), key=lambda p: p["id"])


@pytest.mark.parametrize("product", FIRSTS, ids=lambda p: p["category"])
def test_the_same_picture_recompressed_is_a_match(product, shared_index):
    verdict = mismatch_verdict(photo(picture(product["id"]), quality=40), [(product["id"], None)], shared_index)
    assert verdict.verdict == "match", verdict
    assert product["colors"][0] in verdict.evidence and verdict.numbers["delta_e2000"] < 5


@pytest.mark.parametrize("product", FIRSTS, ids=lambda p: p["category"])
def test_a_recoloured_item_differs_in_colour_and_says_which(product, shared_index):
    received = "蓝色" if product["colors"][0] not in ("蓝色", "藏青色", "紫色") else "黄色"
    verdict = mismatch_verdict(photo(in_colour(product["id"], received)), [(product["id"], None)], shared_index)
    assert verdict.verdict == "colour_differs", verdict
    short = received[:-1]
    assert verdict.evidence.startswith(f"颜色差异明显：收到偏{short}，商品图为{product['colors'][0]}")
    assert verdict.numbers["delta_e2000"] >= 11 and verdict.numbers["received_colour"] == received


def test_another_product_is_a_different_item(shared_index):
    shirt, shoe = BY_CATEGORY["apparel"], BY_CATEGORY["shoes"]
    verdict = mismatch_verdict(photo(picture(shoe["id"])), [(shirt["id"], None)], shared_index)
    assert verdict.verdict == "different_item" and "不是同一件商品" in verdict.evidence
    assert verdict.numbers["structure"] < OTHER_SHAPE


def test_the_ordered_colour_is_the_reference_not_the_catalog_drawing(shared_index):
    product = next(p for p in CATALOG.products if "黑色" in p["colors"][1:] and p["colors"][0] == "白色")
    black = photo(in_colour(product["id"], "黑色"))
    assert mismatch_verdict(black, [(product["id"], "黑色")], shared_index).verdict == "match"
    white = mismatch_verdict(photo(picture(product["id"])), [(product["id"], "黑色")], shared_index)
    assert white.verdict == "colour_differs" and "收到偏白，订购的是黑色" in white.evidence


def test_among_several_items_the_closest_is_judged(shared_index):
    shirt, shoe = BY_CATEGORY["apparel"], BY_CATEGORY["shoes"]
    verdict = mismatch_verdict(photo(picture(shoe["id"])), [(shirt["id"], None), (shoe["id"], None)], shared_index)
    assert verdict.verdict == "match" and verdict.product_id == shoe["id"]


@pytest.mark.parametrize("alter", ["crop", "rotate", "brightness", "screenshot"])
def test_ordinary_photo_changes_still_match(alter, shared_index):
    product = BY_CATEGORY["apparel"]
    rng = random.Random(5)
    base = picture(product["id"])
    img = {"crop": lambda: synth.crop(base, rng), "rotate": lambda: synth.rotate(base, 18),
           "brightness": lambda: synth.brightness(base, 0.85), "screenshot": lambda: synth.screenshot(base, rng)}[alter]()
    assert mismatch_verdict(photo(img), [(product["id"], None)], shared_index).verdict == "match"


@pytest.mark.parametrize("img", [Image.new("RGB", (200, 200), (128, 128, 128)),
                                 Image.effect_noise((200, 200), 120).convert("RGB")])
def test_a_blank_or_cluttered_photo_is_unclear(img, shared_index):
    verdict = mismatch_verdict(synth.encode(img, "PNG"), [(FIRSTS[0]["id"], None)], shared_index)
    assert verdict.verdict == "unclear" and "拍" in verdict.evidence


def test_no_known_product_is_unclear_not_an_error(shared_index):
    verdict = mismatch_verdict(photo(picture(FIRSTS[0]["id"])), [("P9999", None)], shared_index)
    assert verdict.verdict == "unclear"


# -- every product its own picture: variants and lookalikes --------------------------------------
def test_the_reference_in_an_ordered_colour_is_the_catalogs_variant():
    """The vision recolours the picture file to the ordered colour; the catalog draws the same."""
    for p in CATALOG.products:
        with Image.open(PACKAGE_DIR / p["image"]) as img:
            flat = img.convert("RGB")
        for colour in p["colors"]:
            drawn = pictures.picture(p["id"], p["category"], p["colors"], colour).convert("RGB")
            assert np.array_equal(np.asarray(recoloured(flat, COLORS[colour])), np.asarray(drawn)), (p["id"], colour)


def test_a_photo_of_the_ordered_variant_is_judged_against_that_variant(shared_index):
    # Variants whose colour is one of the print's: body and print swap colours, so the first-colour
    # picture's print image no longer fits, and only the recoloured reference does.
    swapped = [(p["id"], c) for p in CATALOG.products for c in p["colors"][1:]
               if COLORS[c] in pictures.print_colours(p["colors"])][::3]
    assert len(swapped) >= 25
    gain = []
    for pid, colour in swapped:
        data = photo(in_colour(pid, colour))
        verdict = mismatch_verdict(data, [(pid, colour)], shared_index)
        assert verdict.verdict == "match", (pid, colour, verdict)
        as_drawn = shape_similarity(rotated(extract(data)), shared_index.picture_of(pid).features).score
        gain.append(verdict.numbers["structure"] - as_drawn)
    assert np.mean(gain) > 0.1


def test_a_colour_the_backdrop_would_hide_keeps_the_pictures_shape(shared_index):
    pid = next(p["id"] for p in CATALOG.products if pictures.backdrop(p["colors"]) == pictures.LIGHT_BACKDROP)
    assert shared_index.features_in(pid, COLORS["白色"]) is None
    (ref,) = references([(pid, "白色")], shared_index)
    assert ref.features is shared_index.picture_of(pid).features and ref.colour_name == "白色"


def test_a_lookalike_of_the_same_category_and_colour_is_a_different_item(shared_index):
    ordered = CATALOG.products[0]
    outline = pictures.design(ordered["id"], ordered["category"]).variant
    alike = [p for p in CATALOG.products[1:] if (p["category"], p["colors"][0]) == (ordered["category"], ordered["colors"][0])
             and pictures.design(p["id"], p["category"]).variant != outline]
    assert alike
    for other in alike:
        verdict = mismatch_verdict(photo(picture(other["id"])), [(ordered["id"], None)], shared_index)
        assert verdict.verdict == "different_item", (other["id"], verdict)
