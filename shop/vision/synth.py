"""Altered catalog pictures for measuring and testing the comparison (bench/vision.py, tests/vision).

Each alteration stands for something that happens to a shopper's photo or screenshot.
Some keep the item (a crop, a tilt, JPEG, dimmer light, a screenshot around it)
and some do not (the item in another colour). Pictures are scaled up first,
because a photo is larger than the 64 px catalog images; colours are changed
before that, on the picture's flat colours.
"""
from __future__ import annotations

import colorsys
import io
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

PHOTO_SIDE = 256
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def catalog_picture(path: Path | Image.Image, side: int = PHOTO_SIDE) -> Image.Image:
    """A catalog picture (a file, or one drawn or recoloured in memory) at photo size."""
    if isinstance(path, Image.Image):
        return path.convert("RGB").resize((side, side), Image.BICUBIC)
    with Image.open(path) as img:
        return img.convert("RGB").resize((side, side), Image.BICUBIC)


def flat_picture(path: Path) -> Image.Image:
    """A catalog picture at its own size, in RGB: flat colours, no scaling blends, ready to recolour."""
    with Image.open(path) as img:
        return img.convert("RGB")


def background_of(img: Image.Image) -> tuple[int, int, int]:
    return img.getpixel((1, 1))


def item_mask(img: Image.Image) -> np.ndarray:
    arr = np.asarray(img, dtype=np.int16)
    return np.abs(arr - np.array(background_of(img), dtype=np.int16)).sum(axis=2) > 30


def item_colours(img: Image.Image) -> list[tuple[int, int, int]]:
    """The colours of a flat-coloured picture's item, most of the item first: its body, then its print."""
    colours, counts = np.unique(np.asarray(img)[item_mask(img)], axis=0, return_counts=True)
    return [tuple(int(v) for v in colours[i]) for i in np.argsort(-counts, kind="stable")]


def _repaint(img: Image.Image, mapping: dict) -> Image.Image:
    arr = np.asarray(img)
    out = arr.copy()
    for old, new in mapping.items():
        out[np.all(arr == old, axis=2)] = new
    return Image.fromarray(out)


def recolour(img: Image.Image, rgb: tuple[int, int, int]) -> Image.Image:
    """The same item in another colour (what a colour variant, or a wrong one, looks like).

    For a flat-coloured picture (a catalog picture before it is scaled to photo size). The body
    (the item's main colour) takes ``rgb`` and the print keeps its colours; a print already in
    ``rgb`` takes the body's old colour instead, as a colourway would (shop.catalog.pictures
    draws variants the same way).
    """
    body, *prints = item_colours(img)
    swap = {c: body for c in prints if sum(abs(a - b) for a, b in zip(c, rgb)) <= 30}
    return _repaint(img, {body: tuple(rgb), **swap})


def hue_shift(img: Image.Image, degrees: float) -> Image.Image:
    """The item of a flat-coloured picture with its main colour turned round the colour wheel
    (the print stays)."""
    body = item_colours(img)[0]
    h, s, v = colorsys.rgb_to_hsv(*(c / 255.0 for c in body))
    shifted = tuple(round(c * 255) for c in colorsys.hsv_to_rgb((h + degrees / 360.0) % 1.0, s, v))
    return _repaint(img, {body: shifted})


def crop(img: Image.Image, rng: random.Random, most: float = 0.12) -> Image.Image:
    w, h = img.size
    box = (round(w * rng.uniform(0, most)), round(h * rng.uniform(0, most)),
           round(w * (1 - rng.uniform(0, most))), round(h * (1 - rng.uniform(0, most))))
    return img.crop(box)


def rotate(img: Image.Image, degrees: float) -> Image.Image:
    return img.rotate(degrees, resample=Image.BICUBIC, fillcolor=background_of(img))


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def brightness(img: Image.Image, factor: float) -> Image.Image:
    return ImageEnhance.Brightness(img).enhance(factor)


def photo_noise(img: Image.Image, rng: random.Random) -> Image.Image:
    """A little blur and sensor noise, as any phone photo has."""
    arr = np.asarray(img.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 3.0, arr.shape)
    return Image.fromarray(np.clip(arr + noise, 0, 255).astype(np.uint8))


def screenshot(img: Image.Image, rng: random.Random, price: str = "¥129") -> Image.Image:
    """A phone screenshot of a product page: status bar, the picture, name and price under it."""
    page = Image.new("RGB", (360, 640), (255, 255, 255) if rng.random() < 0.7 else (243, 243, 243))
    d = ImageDraw.Draw(page)
    d.rectangle([0, 0, 360, 24], fill=(30, 30, 30))
    d.text((8, 5), "12:30", fill=(255, 255, 255))
    side = rng.randint(250, 320)
    page.paste(img.resize((side, side), Image.BICUBIC), ((360 - side) // 2, 60))
    font = ImageFont.truetype(str(FONT), 20) if FONT.exists() else ImageFont.load_default()
    d.text((20, 70 + side), "爆款热卖 限时包邮", fill=(40, 40, 40), font=font)
    d.text((20, 100 + side), price, fill=(230, 60, 40), font=font)
    d.rectangle([0, 600, 360, 640], fill=(250, 80, 40))
    return page


def encode(img: Image.Image, fmt: str = "PNG", **save) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **save)
    return buf.getvalue()
