"""What the comparison looks at in one picture: where the item is, its shape, its main colours.

The item is found against its background (the colour of the picture's border);
a solid panel around it (a product card in a screenshot, a light item on the
catalog's dark backdrop) is stepped into, so screenshots and photos reduce to
the same thing as catalog pictures. Shape is kept as a square, size- and
position-normalised "contrast to background" image, which does not change when
only the item's colour does.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.cluster.vq import kmeans2
from skimage.color import rgb2lab

WORK_SIDE = 192        # pictures are analysed at most this large: shapes, not textures, decide
SHAPE_SIDE = 48        # side of the aligned shape image
BG_DELTA = 8.0         # Lab distance from the background that counts as the item
MIN_ITEM_SHARE = 0.01  # an item smaller than this share of the picture is not seen
MAX_PANEL_DEPTH = 2


class Unreadable(ValueError):
    """The picture holds no item that can be compared (blank, all noise)."""


@dataclass(frozen=True)
class Features:
    shape: np.ndarray          # SHAPE_SIDE² float32 in 0..1: contrast to background, aligned
    mask: np.ndarray           # SHAPE_SIDE² bool: the item's silhouette, aligned
    colours: tuple             # ((L, a, b), share) of the item's main colours, largest first
    item_share: float          # how much of the (innermost) picture the item covers
    clean_background: float    # share of the border that is one colour: low = cluttered photo

    @property
    def main_lab(self) -> np.ndarray:
        return np.asarray(self.colours[0][0], dtype=float)


def load_rgb(source: bytes | Path | str | Image.Image) -> np.ndarray:
    """RGB floats 0..1, scaled down to WORK_SIDE at most."""
    if isinstance(source, Image.Image):
        img = source
    elif isinstance(source, (bytes, bytearray)):
        img = Image.open(io.BytesIO(source))
    else:
        img = Image.open(source)
    img = img.convert("RGB")
    scale = WORK_SIDE / max(img.size)
    if scale < 1:
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.BILINEAR)
    return np.asarray(img, dtype=np.float32) / 255.0


def extract(source: bytes | Path | str | Image.Image) -> Features:
    lab = rgb2lab(load_rgb(source))
    border_share = 1.0
    for depth in range(MAX_PANEL_DEPTH + 1):
        bg, share = _background(lab)
        border_share = share if depth == 0 else border_share
        mask = _item_mask(lab, bg)
        if mask is None:
            if depth == 0:
                raise Unreadable("no item stands out from the background")
            break
        inner = _panel(mask)
        if inner is None or depth == MAX_PANEL_DEPTH:
            break
        y0, y1, x0, x1 = inner
        inner_lab = lab[y0:y1, x0:x1]
        inner_bg, _ = _background(inner_lab)
        if _item_mask(inner_lab, inner_bg) is None:
            break  # a solid item (a towel, a box) rather than a panel around one
        lab = inner_lab
    return _features(lab, mask, bg, border_share)


def _background(lab: np.ndarray) -> tuple[np.ndarray, float]:
    ring = np.concatenate([lab[:2].reshape(-1, 3), lab[-2:].reshape(-1, 3),
                           lab[:, :2].reshape(-1, 3), lab[:, -2:].reshape(-1, 3)])
    bg = np.median(ring, axis=0)
    share = float(np.mean(np.linalg.norm(ring - bg, axis=1) < BG_DELTA))
    return bg, share


def _item_mask(lab: np.ndarray, bg: np.ndarray) -> np.ndarray | None:
    raw = np.linalg.norm(lab - bg, axis=2) > BG_DELTA
    raw = ndimage.binary_opening(raw, iterations=1)
    labels, n = ndimage.label(raw)
    if n == 0:
        return None
    sizes = ndimage.sum(raw, labels, index=range(1, n + 1))
    biggest = int(np.argmax(sizes)) + 1
    if sizes[biggest - 1] < MIN_ITEM_SHARE * raw.size:
        return None
    return ndimage.binary_fill_holes(labels == biggest)


def _panel(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """The inside of the item if it is a solid rectangle big enough to hold a picture."""
    ys, xs = np.nonzero(mask)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    box = (y1 - y0) * (x1 - x0)
    if box < 0.12 * mask.size or mask[y0:y1, x0:x1].mean() < 0.95 or min(y1 - y0, x1 - x0) < 24:
        return None
    return y0 + 2, y1 - 2, x0 + 2, x1 - 2


def _features(lab: np.ndarray, mask: np.ndarray, bg: np.ndarray, border_share: float) -> Features:
    ys, xs = np.nonzero(mask)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    contrast = np.linalg.norm(lab - bg, axis=2)
    contrast = np.clip(contrast / max(float(np.percentile(contrast[mask], 90)), 1e-6), 0, 1)
    shape = align(contrast[y0:y1, x0:x1])
    silhouette = align(mask[y0:y1, x0:x1].astype(np.float32)) > 0.5
    return Features(shape, silhouette, _main_colours(lab[mask]), float(mask.mean()), border_share)


def align(crop: np.ndarray, side: int = SHAPE_SIDE) -> np.ndarray:
    """Centre the crop in a square (aspect kept) and scale it to side × side."""
    h, w = crop.shape
    n = max(h, w)
    square = np.zeros((n, n), dtype=np.float32)
    top, left = (n - h) // 2, (n - w) // 2
    square[top:top + h, left:left + w] = crop
    img = Image.fromarray((square * 255).astype(np.uint8)).resize((side, side), Image.BILINEAR)
    return np.asarray(img, dtype=np.float32) / 255.0


def _main_colours(pixels: np.ndarray, k: int = 3) -> tuple:
    rng = np.random.default_rng(0)  # the same picture always gives the same colours
    if len(pixels) > 3000:
        pixels = pixels[rng.choice(len(pixels), 3000, replace=False)]
    distinct = np.unique(pixels.round(0), axis=0)
    k = min(k, len(distinct))
    if k <= 1:
        return ((tuple(np.median(pixels, axis=0).round(2)), 1.0),)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an empty cluster on near-flat colours is expected, not news
        _, labels = kmeans2(pixels.astype(np.float64), k, minit="++", seed=rng, iter=15)
    out = []
    for i in range(k):
        members = pixels[labels == i]
        if len(members):
            out.append((tuple(np.median(members, axis=0).round(2)), len(members) / len(pixels)))
    return tuple(sorted(out, key=lambda c: -c[1]))


def hashes(shape: np.ndarray) -> tuple[imagehash.ImageHash, imagehash.ImageHash]:
    img = Image.fromarray((shape * 255).astype(np.uint8))
    return imagehash.phash(img), imagehash.dhash(img)
