"""Catalog pictures: one distinct, deterministic picture per product.

Each picture is drawn from the product's id, category and colours only (names,
tags and prices may be edited without moving a picture):

- the **silhouette** is one of ``len(SILHOUETTES[family])`` (7) variants of the
  category's shape family (a T-shirt, a long coat or trousers for apparel; a
  pan, a pot or a mug for kitchen …), in one of three proportions (as drawn,
  narrower, shorter);
- the **print** is one of ``len(PRINTS)`` (8): polka, hem block, hoops, sash,
  mark, yoke, centre stripe, side panel. It is drawn in the product's other
  colours, or in a lighter or darker tone of the body where the product has no
  other colour that would show (see ``stands_apart``);
- the **body** is the product's first colour, and covers most of the item, so
  the item's main colour is still the colour the catalog lists first.

Of the id's number n, the silhouette is ``n % 7``, the proportion ``(n // 7) % 3``
and the print ``n % 8``: 7 and 8 share no factor, so any 56 consecutive ids get 56
different (silhouette, print) pairs, and two neighbouring ids differ in both. A
category's ids are consecutive (36 each), so no two products of one category look
alike; categories differ in shape family. ``tests/catalog/test_pictures.py`` checks
it on the files.

``picture(..., colour=c)`` draws the product as its colour variant c would look:
c becomes the body and, if c was one of the print colours, the first colour takes
its place in the print (a colourway). The backdrop depends on all of a product's
colours, so every variant of one product sits on the same backdrop, and a
variant can be made from the first-colour picture by swapping palette entries
(what shop.vision does when an order names another colour).

Pictures are 64 × 64 palette PNGs with hard edges (≤ 8 exact colours, no
antialiasing, no timestamps): ``python -m shop.catalog.pictures`` rewrites
shop/catalog/images/*.png byte for byte from products.csv.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from shop.catalog import COLORS, IMAGES_DIR, load_catalog

SIDE = 64                      # the vision code analyses catalog pictures at this size
LIGHT_BACKDROP = (250, 250, 250)
DARK_BACKDROP = (90, 90, 96)   # behind products sold in a colour the light backdrop would hide
RIM = 2                        # px of body colour kept around a print, so the outline is the body's
# Backdrop kept around the item: on a dark backdrop, a thinner border can break up in a blurred
# screenshot, and shop.vision then no longer sees the picture as a card to step into.
MARGIN = 6

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]


# -- silhouettes: one shape family per category, seven variants each ---------------------------
# Each variant draws the item's silhouette (fill 255) on a 64 × 64 "L" image. None of them
# fills more than ~90 % of its bounding box: shop.vision steps into a solid rectangle as if it
# were a card around a picture, and must not mistake an item's print for the item. No part is
# thinner than 5 px (4 px drawn narrower): shop.vision clears specks with a 3 × 3 opening,
# which at 64 px would erase a thin strap from the catalog picture but not from a larger
# photo of the item, and the two outlines would no longer line up.
class Pen:
    """Draws silhouette parts on a 64 × 64 mask through a scaling and a shift (a design's proportion
    and place), so that a part drawn narrower is still a crisp polygon, not a resampled one."""

    def __init__(self, img: Image.Image, sx: float = 1.0, sy: float = 1.0, tx: float = 0.0, ty: float = 0.0,
                 fill: int = 255) -> None:
        self.img, self.draw = img, ImageDraw.Draw(img)
        self.sx, self.sy, self.tx, self.ty, self.fill = sx, sy, tx, ty, fill

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return x * self.sx + self.tx, y * self.sy + self.ty

    def box(self, box: Sequence[float]) -> tuple[float, float, float, float]:
        return (*self.xy(box[0], box[1]), *self.xy(box[2], box[3]))

    def width(self, w: float) -> int:
        return max(1, round(w * min(self.sx, self.sy)))

    def polygon(self, points: Sequence[tuple[float, float]]) -> None:
        self.draw.polygon([self.xy(*p) for p in points], fill=self.fill)

    def rect(self, box: Box, radius: float = 0) -> None:
        if radius:
            self.draw.rounded_rectangle(self.box(box), radius=self.width(radius), fill=self.fill)
        else:
            self.draw.rectangle(self.box(box), fill=self.fill)

    def ellipse(self, box: Box, ring: float = 0) -> None:
        if ring:
            self.draw.ellipse(self.box(box), outline=self.fill, width=self.width(ring))
        else:
            self.draw.ellipse(self.box(box), fill=self.fill)

    def line(self, points: Sequence[tuple[float, float]], width: float) -> None:
        self.draw.line([self.xy(*p) for p in points], fill=self.fill, width=self.width(width), joint="curve")

    def pieslice(self, box: Box, start: float, end: float) -> None:
        self.draw.pieslice(self.box(box), start, end, fill=self.fill)

    def arc(self, box: Box, start: float, end: float, width: float) -> None:
        self.draw.arc(self.box(box), start, end, fill=self.fill, width=self.width(width))

    def cut(self, part: Callable[["Pen"], None]) -> None:
        """Take a part away (a neck opening)."""
        scratch = Image.new("L", self.img.size, 0)
        part(Pen(scratch, self.sx, self.sy, self.tx, self.ty))
        self.draw.bitmap((0, 0), scratch, fill=0)


Part = Callable[[Pen], None]


def _poly(*points: tuple[int, int]) -> Part:
    return lambda pen: pen.polygon(points)


def _parts(*parts: Part) -> Part:
    def draw(pen: Pen) -> None:
        for part in parts:
            part(pen)
    return draw


def _rect(box: Box, radius: int = 0) -> Part:
    return lambda pen: pen.rect(box, radius)


def _ellipse(box: Box) -> Part:
    return lambda pen: pen.ellipse(box)


def _ring(box: Box, width: int) -> Part:
    return lambda pen: pen.ellipse(box, ring=width)


def _line(points: Sequence[tuple[int, int]], width: int) -> Part:
    return lambda pen: pen.line(points, width)


def _pie(box: Box, start: int, end: int) -> Part:
    return lambda pen: pen.pieslice(box, start, end)


def _arc(box: Box, start: int, end: int, width: int) -> Part:
    return lambda pen: pen.arc(box, start, end, width)


def _cut(part: Part) -> Part:
    return lambda pen: pen.cut(part)


def _fringe(x0: int, x1: int, y0: int, y1: int, step: int = 8) -> Part:
    return _parts(*(_rect((x, y0, x + 4, y1)) for x in range(x0, x1 - 3, step)))


def _petals(cx: int, cy: int, ring: int, radius: int, count: int) -> Part:
    angles = [2 * np.pi * k / count for k in range(count)]
    return _parts(*(_ellipse((round(cx + ring * np.cos(a)) - radius, round(cy + ring * np.sin(a)) - radius,
                              round(cx + ring * np.cos(a)) + radius, round(cy + ring * np.sin(a)) + radius))
                    for a in angles))


SILHOUETTES: dict[str, list[Part]] = {
    "garment": [
        # T-shirt, long-sleeve top, sleeveless A-line dress, V-neck with three-quarter sleeves,
        # hoodie, long coat, trousers
        _poly((16, 14), (26, 10), (29, 13), (35, 13), (38, 10), (48, 14), (56, 24), (48, 30), (46, 54),
              (18, 54), (16, 30), (8, 24)),
        _poly((16, 14), (26, 10), (29, 13), (35, 13), (38, 10), (48, 14), (57, 46), (51, 48), (46, 26),
              (46, 56), (18, 56), (18, 26), (13, 48), (7, 46)),
        _poly((21, 8), (26, 8), (32, 15), (38, 8), (43, 8), (44, 20), (41, 30), (55, 59), (9, 59), (23, 30),
              (20, 20)),
        _poly((16, 14), (26, 10), (32, 21), (38, 10), (48, 14), (59, 36), (52, 39), (46, 28), (46, 55),
              (18, 55), (18, 28), (12, 39), (5, 36)),
        _poly((14, 18), (22, 13), (24, 6), (32, 3), (40, 6), (42, 13), (50, 18), (59, 32), (51, 36), (48, 29),
              (48, 50), (16, 50), (16, 29), (13, 36), (5, 32)),
        _poly((16, 12), (26, 7), (32, 17), (38, 7), (48, 12), (55, 45), (49, 46), (46, 28), (49, 61), (15, 61),
              (18, 28), (15, 46), (9, 45)),
        _poly((17, 6), (47, 6), (52, 59), (37, 59), (32, 24), (27, 59), (12, 59)),
    ],
    "shoe": [
        # trainer, ankle boot, heeled pump, loafer, chunky trainer, sandal, mule
        _poly((8, 44), (8, 24), (22, 24), (30, 34), (52, 38), (58, 46), (58, 50), (8, 50)),
        _poly((10, 7), (25, 7), (27, 30), (46, 36), (57, 42), (58, 53), (10, 53)),
        _poly((8, 22), (18, 24), (28, 36), (48, 40), (58, 46), (58, 50), (30, 50), (19, 42), (16, 57), (10, 57),
              (8, 42)),
        _poly((5, 40), (10, 31), (24, 32), (34, 36), (50, 37), (59, 44), (59, 50), (5, 50)),
        _poly((8, 40), (8, 18), (24, 18), (32, 29), (50, 31), (58, 39), (60, 53), (5, 53), (5, 44)),
        _poly((5, 53), (5, 46), (9, 41), (12, 30), (21, 30), (24, 46), (30, 46), (34, 33), (45, 33), (48, 46),
              (59, 46), (59, 53)),
        _poly((5, 44), (8, 40), (30, 40), (34, 27), (48, 27), (59, 40), (59, 50), (5, 50)),
    ],
    "bottle": [
        # bottle with a screw cap, toner bottle with shoulders, pump bottle, wide jar, squeeze tube,
        # dropper bottle, lipstick
        _parts(_rect((26, 8, 38, 16)), _rect((18, 16, 46, 56), 6)),
        _parts(_rect((27, 3, 37, 11)), _rect((29, 11, 35, 17)), _poly((29, 16), (35, 16), (44, 25), (20, 25)),
               _rect((20, 24, 44, 60), 3)),
        _parts(_rect((27, 3, 37, 7)), _rect((37, 3, 47, 6)), _rect((30, 7, 34, 14)), _rect((26, 14, 38, 19)),
               _rect((19, 19, 45, 59), 5)),
        _parts(_rect((16, 17, 48, 27), 2), _rect((9, 27, 55, 53), 8)),
        _parts(_poly((15, 5), (49, 5), (49, 10), (42, 44), (22, 44), (15, 10)), _rect((24, 44, 40, 57), 2)),
        _parts(_ellipse((26, 1, 38, 13)), _rect((25, 12, 39, 20)), _rect((19, 20, 45, 59), 9)),
        _parts(_poly((25, 31), (25, 17), (39, 9), (39, 31)), _rect((21, 30, 43, 61), 2)),
    ],
    "textile": [
        # folded stack, pillow, curtain on a rod, fringed blanket, towel on a rail, bolster/mat,
        # quilt with corner tassels
        _parts(_rect((8, 39, 50, 54)), _rect((11, 27, 53, 42)), _rect((14, 15, 56, 30))),
        _poly((7, 13), (32, 18), (57, 13), (52, 32), (57, 51), (32, 46), (7, 51), (12, 32)),
        _parts(_rect((4, 7, 60, 10)), _poly((9, 10), (30, 10), (27, 57), (9, 57)),
               _poly((34, 10), (55, 10), (55, 57), (37, 57))),
        _parts(_rect((10, 16, 54, 46)), _fringe(10, 54, 8, 16), _fringe(10, 54, 46, 55)),
        _parts(_rect((5, 8, 59, 11)), _rect((16, 11, 48, 58)), _ellipse((2, 6, 8, 13)), _ellipse((56, 6, 62, 13))),
        _rect((5, 18, 59, 46), 14),
        _parts(_rect((12, 14, 52, 50)), _poly((12, 14), (5, 7), (9, 5), (16, 14)),
               _poly((52, 14), (59, 7), (55, 5), (48, 14)),
               _poly((12, 50), (5, 57), (9, 59), (16, 50)), _poly((52, 50), (59, 57), (55, 59), (48, 50))),
    ],
    "kitchen": [
        # frying pan, pot with handles, plate, mug, wok, kettle, bowl
        _parts(_ellipse((5, 15, 41, 51)), _poly((38, 30), (60, 27), (61, 33), (38, 36))),
        _parts(_ellipse((13, 13, 51, 51)), _rect((5, 28, 14, 36), 2), _rect((50, 28, 59, 36), 2)),
        _ellipse((7, 7, 57, 57)),
        _parts(_rect((10, 14, 44, 56), 5), _ring((36, 22, 58, 46), 5)),
        _parts(_ellipse((3, 13, 45, 55)), _poly((42, 31), (62, 26), (62, 32), (42, 37)), _rect((1, 31, 5, 37))),
        _parts(_ellipse((13, 19, 51, 57)), _poly((16, 38), (2, 24), (5, 21), (20, 31)), _rect((28, 12, 36, 20), 2),
               _arc((34, 10, 60, 44), -90, 60, 4)),
        _parts(_pie((6, 2, 58, 54), 0, 180), _rect((22, 52, 42, 58))),
    ],
    "device": [
        # phone with side buttons, tablet on a stand, earbud case with a strap ring, mouse with cable, keyboard,
        # power bank with cable, watch/band
        _parts(_rect((20, 6, 44, 58), 6), _rect((44, 16, 46, 25)), _rect((18, 14, 20, 19)), _rect((18, 22, 20, 29))),
        _parts(_rect((5, 12, 59, 45), 5), _poly((26, 45), (38, 45), (45, 57), (19, 57))),
        _parts(_rect((14, 14, 50, 50), 14), _ring((43, 39, 59, 55), 5)),
        _parts(_ellipse((17, 10, 47, 60)), _rect((30, 2, 34, 12))),
        _parts(_rect((3, 24, 61, 46), 3), _line([(32, 26), (32, 16), (44, 10)], 5)),
        _parts(_rect((12, 16, 40, 58), 4), _line([(26, 18), (26, 7), (52, 7), (52, 34)], 5)),
        _parts(_rect((24, 2, 40, 62), 4), _rect((17, 18, 47, 46), 7)),
    ],
    "baby": [
        # teddy face, bib with ties, rattle, dummy, bunny face, bonnet, flower play mat
        _parts(_ellipse((12, 16, 52, 56)), _ellipse((7, 7, 24, 24)), _ellipse((40, 7, 57, 24))),
        _parts(_ellipse((8, 12, 56, 60)), _cut(_ellipse((21, 2, 43, 25))), _line([(20, 23), (9, 5)], 5),
               _line([(44, 23), (55, 5)], 5)),
        _parts(_ellipse((18, 3, 46, 31)), _rect((29, 30, 35, 51)), _ellipse((23, 48, 41, 62))),
        _parts(_ellipse((7, 22, 57, 46)), _ring((22, 40, 42, 61), 4),
               _ellipse((26, 7, 38, 25))),
        _parts(_ellipse((12, 22, 52, 62)), _ellipse((15, 1, 27, 31)), _ellipse((37, 1, 49, 31))),
        _parts(_pie((8, 10, 56, 58), 180, 360), _rect((3, 33, 61, 40), 2), _line([(14, 40), (10, 56)], 5),
               _line([(50, 40), (54, 56)], 5)),
        _parts(_ellipse((15, 15, 49, 49)), _petals(32, 32, 20, 8, 8)),
    ],
    "tent": [
        # ridge tent, tent with crossed poles and eaves, dome, lean-to, peaks, tunnel tent, teepee
        _poly((32, 8), (58, 54), (6, 54)),
        _poly((27, 3), (32, 10), (37, 3), (39, 5), (34, 13), (59, 51), (62, 56), (2, 56), (5, 51), (30, 13),
              (25, 5)),
        _parts(_pie((4, 14, 60, 74), 180, 360), _rect((2, 42, 62, 46))),
        _poly((20, 7), (60, 54), (4, 54)),
        _poly((3, 55), (21, 14), (23, 14), (32, 29), (42, 7), (44, 7), (61, 55)),
        _poly((3, 54), (13, 25), (22, 19), (46, 17), (53, 22), (61, 54)),
        _poly((23, 3), (30, 13), (6, 57), (58, 57), (34, 13), (41, 3), (38, 2), (32, 10), (26, 2)),
    ],
    "package": [
        # open box, gift box with a bow, snack pouch, honey jar, milk carton, sack, hexagonal tin
        _parts(_rect((14, 24, 50, 57)), _poly((14, 24), (4, 15), (9, 10), (22, 24)),
               _poly((50, 24), (60, 15), (55, 10), (42, 24))),
        _parts(_rect((10, 24, 54, 56)), _rect((8, 18, 56, 24)), _ellipse((16, 5, 32, 19)), _ellipse((32, 5, 48, 19))),
        _poly((12, 14), (16, 9), (20, 14), (24, 9), (28, 14), (32, 9), (36, 14), (40, 9), (44, 14), (48, 9),
              (52, 14), (54, 36), (52, 59), (12, 59), (10, 36)),
        _parts(_rect((19, 6, 45, 15), 2), _rect((23, 15, 41, 19)), _rect((11, 18, 53, 59), 10)),
        _parts(_poly((14, 59), (14, 22), (22, 11), (42, 11), (50, 22), (50, 59)), _rect((22, 5, 42, 11))),
        _poly((10, 58), (8, 32), (16, 19), (26, 15), (24, 7), (40, 7), (38, 15), (48, 19), (56, 32), (54, 58)),
        _poly((32, 5), (57, 18), (57, 46), (32, 59), (7, 46), (7, 18)),
    ],
}

FAMILY = {"apparel": "garment", "shoes": "shoe", "skincare": "bottle", "home_textile": "textile",
          "kitchen": "kitchen", "digital": "device", "baby": "baby", "outdoor": "tent", "food": "package"}


# -- prints: areas of the item, clipped to the item less its rim --------------------------------
# Each print puts its colour somewhere else on the item (a yoke, a sash, a centre mark …), so
# that prints differ at the coarse scale the vision features see (a 48 px outline image, an
# 8 × 8 DCT hash), not only in fine texture a blurred phone photo would lose. Bands are placed
# by the item's area, not its bounding box (a yoke is the top fifth of the item, whatever its
# shape), so that no print covers more than about a third of the item: the body stays its
# main colour. A print is a list of masks, one per print colour slot (a product with one print
# colour uses it for all).
def _grid(item: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Pixel coordinates as fractions of the item's bounding box, and the box's width and height."""
    ys, xs = np.nonzero(item)
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    return (xx + 0.5 - x0) / (x1 - x0), (yy + 0.5 - y0) / (y1 - y0), float(x1 - x0), float(y1 - y0)


def _area(item: np.ndarray, axis: int) -> np.ndarray:
    """For each pixel, the share of the item's area above it (axis 0) or left of it (axis 1)."""
    per_line = item.sum(axis=1 - axis).astype(np.float64)
    before = (np.cumsum(per_line) - per_line / 2) / per_line.sum()
    return np.broadcast_to(before[:, None] if axis == 0 else before[None, :], item.shape)


def _yoke(item: np.ndarray) -> list[np.ndarray]:
    v = _area(item, 0)
    return [v < 0.22, (v >= 0.26) & (v < 0.3)]


def _hem_block(item: np.ndarray) -> list[np.ndarray]:
    v = _area(item, 0)
    return [v >= 0.76, (v >= 0.68) & (v < 0.72)]


def _side_panel(item: np.ndarray) -> list[np.ndarray]:
    u = _area(item, 1)
    return [u < 0.22, (u >= 0.27) & (u < 0.31)]


def _hoops(item: np.ndarray) -> list[np.ndarray]:
    v = _area(item, 0)
    return [(np.abs(v - 0.28) < 0.065) | (np.abs(v - 0.72) < 0.065), np.abs(v - 0.5) < 0.025]


def _centre_stripe(item: np.ndarray) -> list[np.ndarray]:
    u = _area(item, 1)
    return [np.abs(u - 0.5) < 0.1, (np.abs(u - 0.5) >= 0.16) & (np.abs(u - 0.5) < 0.2)]


def _sash(item: np.ndarray) -> list[np.ndarray]:
    u, v, w, h = _grid(item)
    # the diagonal from the top left to the bottom right corner, a sixth of the item wide
    d = (u - v) * min(w, h) / np.hypot(1, 1)
    return [np.abs(d) < 0.085 * min(w, h), np.abs(d - 0.17 * min(w, h)) < 0.03 * min(w, h)]


def _mark(item: np.ndarray) -> list[np.ndarray]:
    u, v, w, h = _grid(item)
    r2 = ((u - 0.5) * w) ** 2 + ((v - 0.45) * h) ** 2
    r = 0.24 * min(w, h)
    return [(r2 <= r * r) & (r2 > (0.45 * r) ** 2), r2 <= (0.45 * r) ** 2]


def _polka(item: np.ndarray) -> list[np.ndarray]:
    u, v, w, h = _grid(item)
    out = [np.zeros((SIDE, SIDE), bool), np.zeros((SIDE, SIDE), bool)]
    r = 0.13 * min(w, h)  # four large dots: finer ones are lost at the scale of a perceptual hash
    for i, cu in enumerate((0.3, 0.7)):
        for j, cv in enumerate((0.3, 0.7)):
            out[(i + j) % 2] |= ((u - cu) * w) ** 2 + ((v - cv) * h) ** 2 <= r * r
    return out


# Products 21 ids apart share silhouette and proportion, and their prints are 5 apart in this
# list (21 % 8); the order keeps each such pair different at the coarse scale (the two prints
# spread over the whole item, polka and hoops, are never 5 apart).
PRINTS: list[tuple[str, Callable[[np.ndarray], list[np.ndarray]]]] = [
    ("polka", _polka),
    ("hem block", _hem_block),
    ("hoops", _hoops),
    ("sash", _sash),
    ("mark", _mark),
    ("yoke", _yoke),
    ("centre stripe", _centre_stripe),
    ("side panel", _side_panel),
]


# -- the picture ------------------------------------------------------------------------------
def number(product_id: str) -> int:
    """The id's number (P0042 → 42); an id without one is numbered by its digest, still stable."""
    m = re.search(r"(\d+)$", product_id)
    return int(m.group(1)) if m else int(hashlib.sha256(product_id.encode()).hexdigest()[:8], 16)


# Proportions of the silhouette (width : height, relative to the drawing): products that share a
# silhouette variant (ids 7 apart) differ here, which the vision's aligned outline shows (IoU,
# chamfer). The item keeps its area (see outline).
PROPORTIONS = ((1.0, 1.0), (0.8, 1.0), (1.0, 0.8))


@dataclass(frozen=True)
class Design:
    family: str
    variant: int       # index into SILHOUETTES[family]
    proportion: int    # index into PROPORTIONS
    print: int         # index into PRINTS


def design(product_id: str, category: str) -> Design:
    """What a product's picture shows, from its id's number n: silhouette n % 7, proportion
    (n // 7) % 3, print n % 8."""
    family = FAMILY.get(category, "package")  # a category added later still gets a picture
    n = number(product_id)
    variants = len(SILHOUETTES[family])
    return Design(family, n % variants, (n // variants) % len(PROPORTIONS), n % len(PRINTS))


def _lab(rgb: RGB) -> np.ndarray:
    """CIE Lab (D65) of an sRGB colour; the catalog module needs no image library for this."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ c
    f = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(f > (6 / 29) ** 3, np.cbrt(f), f / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def contrast(rgb: RGB, bg: RGB) -> float:
    """How far a colour stands from the backdrop (Lab distance): what shop.vision's shape image shows."""
    return float(np.linalg.norm(_lab(rgb) - _lab(bg)))


MIN_PRINT_CONTRAST = 18.0  # a print this close to the backdrop would be taken for it: holes in the item


def stands_apart(print_rgb: RGB, body: RGB, bg: RGB) -> bool:
    """A print the vision's greyscale can see: its contrast to the backdrop differs from the body's by
    a third (red on blue is plain to a shopper but nearly the same grey against white), and it is
    not taken for the backdrop."""
    a, b = contrast(print_rgb, bg), contrast(body, bg)
    return abs(a - b) >= max(a, b) / 3 and a >= MIN_PRINT_CONTRAST


def tone(rgb: RGB, bg: RGB) -> RGB:
    """The colour lighter or darker (the print colour of a product sold in one colour, or whose other
    colours would not show): of the shades that are not lost on the backdrop, the one that stands
    furthest from the body."""
    shades = [tuple(round(c + (t - c) * share) for c in rgb) for t in (255, 0) for share in (0.3, 0.45, 0.6)]
    seen = [s for s in shades if contrast(s, bg) >= MIN_PRINT_CONTRAST] or shades
    return max(seen, key=lambda s: abs(contrast(s, bg) - contrast(rgb, bg)))  # type: ignore[return-value]


def backdrop(colours: Sequence[str]) -> RGB:
    """Light, unless one of the product's colours is close to it (white, beige, silver: a brighter
    photo would lose the item and keep only its print): then dark, for every variant."""
    near = any(contrast(COLORS[c], LIGHT_BACKDROP) < 25 for c in colours)
    return DARK_BACKDROP if near else LIGHT_BACKDROP


def print_colours(colours: Sequence[str]) -> list[RGB]:
    """The print colours of the first-colour picture: the product's other colours that show on its
    body, else a tone of the body."""
    bg, body = backdrop(colours), COLORS[colours[0]]
    shown = [COLORS[c] for c in colours[1:] if stands_apart(COLORS[c], body, bg)]
    return shown or [tone(body, bg)]


def palette(colours: Sequence[str], colour: str | None = None) -> tuple[RGB, RGB, list[RGB]]:
    """(backdrop, body, print colours) of the product drawn in its colour variant ``colour``.

    A variant is the first-colour picture with the body in the variant's colour; if that colour
    is also a print colour, the print takes the first colour instead (a colourway). This is a
    swap of palette entries, which shop.vision repeats on the picture file for an ordered colour.
    """
    colour = colour or colours[0]
    if colour not in colours:
        raise ValueError(f"{colour} is not one of the product's colours {list(colours)}")
    first, ordered = COLORS[colours[0]], COLORS[colour]
    swap = {first: ordered, ordered: first}
    return backdrop(colours), ordered, [swap.get(c, c) for c in print_colours(colours)]


def silhouette(product_id: str, category: str) -> np.ndarray:
    """The product's item as a boolean 64 × 64 mask."""
    return outline(design(product_id, category))


def outline(d: Design) -> np.ndarray:
    """A design's silhouette in its proportion, inside the frame's margin, as a boolean 64 × 64 mask."""
    draw = SILHOUETTES[d.family][d.variant]
    drawn = Image.new("L", (SIDE, SIDE), 0)
    draw(Pen(drawn))
    x0, y0, x1, y1 = drawn.getbbox()
    # Narrower or shorter at the same area (a smaller item would be lost sooner beside other
    # things in a screenshot), scaled down where that would leave the frame less its margin,
    # about the drawing's centre, moved only as far as the margin needs.
    px, py = PROPORTIONS[d.proportion]
    sx, sy = px / np.sqrt(px * py), py / np.sqrt(px * py)
    fit = min(1.0, (SIDE - 2 * MARGIN) / (sx * (x1 - x0)), (SIDE - 2 * MARGIN) / (sy * (y1 - y0)))
    sx, sy = sx * fit, sy * fit
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ox = min(max(cx, MARGIN + sx * (x1 - x0) / 2), SIDE - MARGIN - sx * (x1 - x0) / 2)
    oy = min(max(cy, MARGIN + sy * (y1 - y0) / 2), SIDE - MARGIN - sy * (y1 - y0) / 2)
    if (sx, sy, ox, oy) == (1.0, 1.0, cx, cy):
        return np.asarray(drawn) > 0
    img = Image.new("L", (SIDE, SIDE), 0)
    draw(Pen(img, sx, sy, ox - cx * sx, oy - cy * sy))
    return np.asarray(img) > 0


def picture(product_id: str, category: str, colours: Sequence[str], colour: str | None = None) -> Image.Image:
    """The product as a palette image, in its first colour or in ``colour``."""
    bg, body, prints = palette(colours, colour)
    item = silhouette(product_id, category)
    inner = np.asarray(Image.fromarray(item.astype(np.uint8) * 255).filter(ImageFilter.MinFilter(2 * RIM + 1))) > 0
    index = np.where(item, 1, 0).astype(np.uint8)
    for slot, mask in enumerate(PRINTS[design(product_id, category).print][1](item)):
        index[mask & inner] = 2 + slot % len(prints)
    entries = [bg, body, *prints]
    img = Image.fromarray(index, mode="P")
    img.putpalette([v for rgb in entries for v in rgb])
    return img


def png(img: Image.Image) -> bytes:
    # A palette PNG of a handful of colours keeps each picture under a kilobyte; Pillow writes
    # no timestamp, so the same picture is the same bytes.
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def write(images_dir: Path = IMAGES_DIR) -> int:
    """Rewrite every product's picture from products.csv; pictures of products no longer listed go."""
    catalog = load_catalog()
    images_dir.mkdir(parents=True, exist_ok=True)
    keep = set()
    for p in catalog.products:
        name = Path(p["image"]).name
        keep.add(name)
        (images_dir / name).write_bytes(png(picture(p["id"], p["category"], p["colors"])))
    for old in images_dir.glob("P*.png"):
        if old.name not in keep:
            old.unlink()
    return len(keep)


if __name__ == "__main__":
    print(f"catalog pictures: {write()} written to {IMAGES_DIR}")
