"""Images are decoded and re-encoded before they are kept.

Re-encoding from pixels drops EXIF (GPS positions in phone photos), ICC and
comment chunks and anything appended after the image data (polyglot files),
so what the store serves is only an image.
"""
from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from shop.media.errors import MediaRejected

MAX_SIDE = 4096
MIN_SIDE = 32
# Header dimensions are checked before decoding; this also caps what Pillow will
# allocate for formats whose frames may differ from the header.
MAX_PIXELS = MAX_SIDE * MAX_SIDE

_PIL_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}


def clean_image(data: bytes, ext: str, *, max_side: int = MAX_SIDE, min_side: int = MIN_SIDE) -> tuple[bytes, str]:
    """Validated, re-encoded image bytes and their extension (jpg stays jpg; the rest become png)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format != _PIL_FORMATS.get(ext):
                raise MediaRejected("bad_image", f"content is {img.format}, header said {ext}")
            w, h = img.size
            if not (min_side <= w <= max_side and min_side <= h <= max_side) or w * h > MAX_PIXELS:
                raise MediaRejected("bad_dimensions", f"{w}x{h} outside {min_side}-{max_side} px")
            img.seek(0)  # animated GIF/WebP: the first frame is the picture
            img.load()
            rgb = _to_rgb(img)
    except MediaRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise MediaRejected("bad_dimensions", f"decompression bomb: {e}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as e:
        raise MediaRejected("bad_image", f"cannot decode: {e}") from None
    out = io.BytesIO()
    if ext == "jpg":
        rgb.save(out, format="JPEG", quality=92)
        return out.getvalue(), "jpg"
    rgb.save(out, format="PNG", optimize=False)
    return out.getvalue(), "png"


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        # Transparent parts shown on white, as chat apps show them.
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return img.convert("RGB")
