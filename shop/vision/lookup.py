"""Visual lookup: which catalog products a photo or screenshot shows, best first."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shop.vision.catalog_index import CatalogIndex
from shop.vision.colours import delta_e
from shop.vision.compare import rotated, shape_similarity
from shop.vision.features import Features

SHAPE_WEIGHT = 0.6
COLOUR_SCALE = 12.0   # ΔE at which the colour term has fallen to 1/e
TEMPERATURE = 0.04    # similarity → probability over pictures
PREFILTER = 24        # pictures kept after the cheap overlap test, before the full shape score
CONFIDENT = 0.6


@dataclass(frozen=True)
class Match:
    product_id: str
    name: str
    confidence: float   # probability that this is the product (its picture's, split among products sharing it)
    similarity: float   # of the photo to the product's picture, 0..1
    shared_by: int      # products with exactly this picture


def lookup(photo: Features, index: CatalogIndex, top: int = 3) -> list[Match]:
    turns = rotated(photo)
    pictures = index.pictures
    # IoU with every picture at every angle in one product of matrices: with a picture per
    # product there are hundreds, and a loop over them costs more than the full scores that follow.
    masks = index.masks()
    photo_masks = np.stack([t[2].ravel() for t in turns]).astype(np.float32)
    inter = masks @ photo_masks.T                                   # (pictures, angles)
    union = masks.sum(axis=1)[:, None] + photo_masks.sum(axis=1)[None, :] - inter
    overlap = np.where(union > 0, inter / np.maximum(union, 1), 0.0).max(axis=1)
    keep = np.argsort(overlap, kind="stable")[::-1][:PREFILTER]
    sims = []
    for i in keep:
        pic = pictures[i]
        shape = shape_similarity(turns, pic.features).score
        colour = float(np.exp(-delta_e(photo.main_lab, pic.features.main_lab) / COLOUR_SCALE))
        sims.append((SHAPE_WEIGHT * shape + (1 - SHAPE_WEIGHT) * colour, pic))
    sims.sort(key=lambda s: -s[0])
    weights = np.exp((np.array([s for s, _ in sims]) - sims[0][0]) / TEMPERATURE)
    probs = weights / weights.sum()
    out: list[Match] = []
    for (sim, pic), prob in zip(sims, probs):
        n = len(pic.product_ids)
        for pid in pic.product_ids:
            out.append(Match(pid, index.name(pid), round(float(prob) / n, 3), round(sim, 3), n))
            if len(out) == top:
                return out
    return out


def confident(matches: list[Match]) -> Match | None:
    """The top match when it alone is likely enough to act on."""
    return matches[0] if matches and matches[0].confidence >= CONFIDENT else None
