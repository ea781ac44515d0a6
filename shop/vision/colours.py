"""Colours as people name them: Lab values, CIEDE2000 differences and a small Chinese name table."""
from __future__ import annotations

import numpy as np
from skimage.color import deltaE_ciede2000, rgb2lab

from shop.catalog import COLORS as CATALOG_COLOURS

# The catalog's own colour names first (they are what the product pages say), then
# a few everyday names for colours a received item may turn out to be.
NAMED_RGB: dict[str, tuple[int, int, int]] = {
    **CATALOG_COLOURS,
    "青色": (0, 150, 160), "浅绿色": (150, 220, 160), "深绿色": (30, 80, 40), "浅蓝色": (150, 190, 230), "酒红色": (120, 20, 40),
}

# Lightness weighted half: a photo taken in dimmer light is the same colour to a
# shopper, while a change of hue or saturation is not.
K_L = 2.0


def rgb_to_lab(rgb) -> np.ndarray:
    """Lab of RGB values given as 0-255 integers, shape (..., 3)."""
    arr = np.asarray(rgb, dtype=np.float64) / 255.0
    return rgb2lab(arr.reshape(-1, 1, 3)).reshape(arr.shape)


_NAMES = list(NAMED_RGB)
_NAMED_LAB = rgb_to_lab(np.array([NAMED_RGB[n] for n in _NAMES]))


def delta_e(lab1, lab2) -> float:
    return float(deltaE_ciede2000(np.asarray(lab1, float), np.asarray(lab2, float), kL=K_L))


def name_of(lab) -> str:
    """The nearest named colour (CIEDE2000, full lightness weight so 黑/灰/白 stay apart)."""
    d = deltaE_ciede2000(np.repeat(np.asarray(lab, float)[None, :], len(_NAMES), axis=0), _NAMED_LAB)
    return _NAMES[int(np.argmin(d))]


def leaning(name: str) -> str:
    """偏蓝 for 蓝色, 偏藏青 for 藏青色: how one says what colour something tends to."""
    return "偏" + (name[:-1] if name.endswith("色") and len(name) >= 2 else name)


def lab_of_name(name: str) -> np.ndarray | None:
    rgb = NAMED_RGB.get(name)
    return None if rgb is None else rgb_to_lab(rgb)
