"""Photo against reference picture: shape (IoU, SSIM, perceptual hashes) and colour (CIEDE2000).

The verdict is one of ``match``, ``colour_differs``, ``different_item`` and
``unclear``, with a sentence a shopper can read and the numbers behind it.
Thresholds were set on bench/vision.py's tuning seed and are measured on
another seed there.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage.metrics import structural_similarity

from shop.vision.colours import delta_e, leaning, name_of
from shop.vision.features import SHAPE_SIDE, Features, align, hashes

ANGLES = tuple(range(-30, 31, 5))  # phone photos are rarely straight; sideways is asked for again
# Re-chosen on bench/vision.py's tuning seed when every product got its own picture with a
# print (0.62 / 0.57 before): a print makes the same item's score drop a little more under a
# tilt or JPEG than a flat shape did, and lookalikes (another silhouette or print) score far lower.
SAME_SHAPE = 0.56       # structure score at or above: the same item's outline
OTHER_SHAPE = 0.51      # below: another item; between the two: cannot tell
COLOUR_DIFFERS = 11.0   # CIEDE2000 (lightness weighted half) between main colours
MIN_ITEM_SHARE = 0.02
MIN_CLEAN_BORDER = 0.35

VERDICTS = ("match", "colour_differs", "different_item", "unclear")


@dataclass(frozen=True)
class Reference:
    """One picture the shopper should have received: a catalog image, maybe in the ordered colour."""
    product_id: str
    name: str
    features: Features
    colour_name: str | None = None   # the ordered variant's colour, when it is known
    colour_lab: np.ndarray | None = None

    @property
    def lab(self) -> np.ndarray:
        return self.features.main_lab if self.colour_lab is None else self.colour_lab


@dataclass(frozen=True)
class Shape:
    score: float
    iou: float
    chamfer: float
    ssim: float
    phash: int
    dhash: int
    angle: int


@dataclass(frozen=True)
class Verdict:
    verdict: str
    evidence: str
    product_id: str | None = None
    numbers: dict = field(default_factory=dict)


def rotated(features: Features) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """The photo's aligned shape and silhouette at each angle tried."""
    out = []
    for angle in ANGLES:
        if angle == 0:
            out.append((0, features.shape, features.mask))
            continue
        shape = _rotate(features.shape, angle)
        out.append((angle, shape, _rotate(features.mask.astype(np.float32), angle) > 0.5))
    return out


def _rotate(image: np.ndarray, angle: int) -> np.ndarray:
    img = Image.fromarray((image * 255).astype(np.uint8)).rotate(angle, resample=Image.BILINEAR, expand=True)
    arr = np.asarray(img, dtype=np.float32) / 255.0
    ys, xs = np.nonzero(arr > 0.5)
    if len(ys) == 0:
        return np.zeros((SHAPE_SIDE, SHAPE_SIDE), np.float32)
    return align(arr[ys.min():ys.max() + 1, xs.min():xs.max() + 1])


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 0.0


def chamfer(a: np.ndarray, b: np.ndarray) -> float:
    """Mean distance (px of the aligned square) between the two outlines, both ways.

    Overlap alone hardly tells a disc from a square of the same size; their
    outlines are pixels apart at the corners.
    """
    oa, ob = _outline(a), _outline(b)
    if not oa.any() or not ob.any():
        return float(SHAPE_SIDE)
    da, db = ndimage.distance_transform_edt(~oa), ndimage.distance_transform_edt(~ob)
    return float((db[oa].mean() + da[ob].mean()) / 2)


def _outline(mask: np.ndarray) -> np.ndarray:
    return mask & ~ndimage.binary_erosion(mask)


def shape_similarity(photo_turns: list, reference: Features) -> Shape:
    angle, shape, mask = max(photo_turns, key=lambda t: iou(t[2], reference.mask))
    overlap = iou(mask, reference.mask)
    outline = chamfer(mask, reference.mask)
    ssim = float(structural_similarity(shape, reference.shape, data_range=1.0, win_size=7))
    (p1, d1), (p2, d2) = hashes(shape), hashes(reference.shape)
    ph, dh = p1 - p2, d1 - d2
    score = (0.3 * overlap + 0.3 * float(np.exp(-outline / 1.5)) + 0.2 * max(ssim, 0.0)
             + 0.2 * max(0.0, 1 - ph / 32))
    return Shape(round(score, 3), round(overlap, 3), round(outline, 2), round(ssim, 3), int(ph), int(dh), angle)


def compare(photo: Features, references: list[Reference]) -> Verdict:
    """The verdict against the reference the photo resembles most (an order may hold several items)."""
    if not references:
        return Verdict("unclear", "没有可对比的商品图。")
    if photo.item_share < MIN_ITEM_SHARE or photo.clean_background < MIN_CLEAN_BORDER:
        return Verdict("unclear", "照片里没能看清商品，麻烦您在光线充足处把商品平铺、完整地拍一张。",
                       numbers={"item_share": round(photo.item_share, 3),
                                "clean_background": round(photo.clean_background, 3)})
    turns = rotated(photo)
    scored = [(shape_similarity(turns, ref.features), delta_e(photo.main_lab, ref.lab), ref) for ref in references]
    # The item the photo most resembles: shape first, colour to break near-ties.
    shape, de, ref = max(scored, key=lambda s: s[0].score - 0.002 * s[1])
    received, expected = name_of(photo.main_lab), ref.colour_name or name_of(ref.lab)
    numbers = {"structure": shape.score, "iou": shape.iou, "chamfer": shape.chamfer, "ssim": shape.ssim, "phash_distance": shape.phash,
               "dhash_distance": shape.dhash, "rotation": shape.angle, "delta_e2000": round(de, 1),
               "received_colour": received, "expected_colour": expected,
               "received_lab": [round(float(v), 1) for v in photo.main_lab],
               "expected_lab": [round(float(v), 1) for v in ref.lab]}
    label = f"（外形相似度 {shape.score:.2f}，色差 ΔE {de:.1f}）"
    # Compared with the colour ordered when the order says one, else with the catalog picture.
    reference = f"订购的是{expected}" if ref.colour_name else f"商品图为{expected}"
    if shape.score < OTHER_SHAPE:
        return Verdict("different_item", f"外形与商品图明显不同，可能不是同一件商品{label}", ref.product_id, numbers)
    if de >= COLOUR_DIFFERS:
        return Verdict("colour_differs", f"颜色差异明显：收到{leaning(received)}，{reference}{label}",
                       ref.product_id, numbers)
    if shape.score < SAME_SHAPE:
        return Verdict("unclear", f"颜色相符（{expected}），但外形看不太清，无法确认是否同款{label}",
                       ref.product_id, numbers)
    return Verdict("match", f"与商品图一致：颜色为{expected}，外形相符{label}", ref.product_id, numbers)
