"""Mismatch verdicts on photos made from catalog pictures: colour, structure, evidence in Chinese."""
from __future__ import annotations

import random

import pytest
from PIL import Image

from shop.vision import mismatch_verdict
from shop.vision import synth
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
    assert verdict.numbers["structure"] < 0.57


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
