"""Photos compared with the catalog's pictures.

    verdict = mismatch_verdict(stored.path, [("P0001", "白色")])   # match / colour_differs / different_item / unclear
    matches = visual_lookup(stored.path)                           # top-3 products with a confidence
    best = confident(matches)                                      # the top one when it alone is likely enough

Features (features.py): the item found against its background, its aligned
silhouette and main colours. Comparison (compare.py): IoU and outline distance
of the silhouettes, SSIM and perceptual hashes of the aligned greyscale, and
CIEDE2000 between main colours. The catalog's pictures are analysed once and
cached in var/vision (catalog_index.py).
"""
from shop.vision.compare import Verdict
from shop.vision.lookup import Match, confident
from shop.vision.service import mismatch_verdict, visual_lookup

__all__ = ["Match", "Verdict", "confident", "mismatch_verdict", "visual_lookup"]
