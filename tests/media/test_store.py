"""MediaStore.save/get: sniffed types, caps, validated and re-encoded images, strict ids."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from shop.media import MediaRejected, MediaStore, media_store
from tests.media.conftest import jpeg, png


def _code(fn, *args) -> str:
    with pytest.raises(MediaRejected) as e:
        fn(*args)
    assert e.value.message and "亲" in e.value.message  # always something a shopper can be shown
    return e.value.code


@pytest.mark.parametrize("data,ext,mime", [
    (png(), "png", "image/png"), (jpeg(), "jpg", "image/jpeg"),
])
def test_images_are_kept_content_addressed(store, data, ext, mime):
    stored = store.save(data, "image")
    assert stored.media_id == f"image-{stored.sha256}.{ext}" and stored.mime == mime
    assert stored.path.parent == store.root / "image" and stored.path.read_bytes()[:2] in (b"\x89P", b"\xff\xd8")
    assert store.get(stored.media_id) == stored
    assert store.save(data, "image") == stored  # the same picture twice is one file


@pytest.mark.parametrize("fmt", ["WEBP", "GIF"])
def test_webp_and_gif_are_re_encoded_as_png(store, fmt):
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (60, 140, 80)).save(buf, format=fmt)
    stored = store.save(buf.getvalue(), "image")
    assert stored.mime == "image/png"
    with Image.open(stored.path) as img:
        assert img.size == (80, 60) and img.getpixel((5, 5))[1] > 100


def test_metadata_and_trailing_payload_are_stripped(store):
    buf = io.BytesIO()
    img = Image.new("RGB", (64, 64), (240, 130, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    img.save(buf, format="JPEG", exif=exif.tobytes())
    data = buf.getvalue() + b"<script>alert(1)</script>PK\x03\x04"
    stored = store.save(data, "image")
    kept = stored.path.read_bytes()
    assert b"PhoneMaker" not in kept and b"<script>" not in kept and b"PK\x03\x04" not in kept
    with Image.open(stored.path) as img:
        assert not img.getexif()


@pytest.mark.parametrize("head,ext", [
    (b"#!AMR\n", "amr"), (b"#!AMR-WB\n", "amr"), (b"#!SILK_V3", "silk"), (b"\x02#!SILK_V3", "silk"),
    (b"ID3\x04\x00", "mp3"), (b"\xff\xfb\x90\x64", "mp3"), (b"OggS\x00\x02", "ogg"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "wav"), (b"\x00\x00\x00\x20ftypM4A \x00\x00", "m4a"),
    (b"\xff\xf1\x50\x80", "aac"),
])
def test_voice_formats_are_sniffed_from_their_bytes(store, head, ext):
    stored = store.save(head + bytes(200), "voice")
    assert stored.media_id.endswith("." + ext) and stored.kind == "voice"
    assert stored.path.read_bytes() == head + bytes(200)  # voice is kept as sent; the speech side decodes it


@pytest.mark.parametrize("data,kind", [
    (b"MZ\x90\x00" + bytes(100), "image"),            # a Windows executable
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image"),
    (b"%PDF-1.7\n", "image"),
    (png(), "voice"),                                # right bytes, wrong kind
    (b"#!AMR\n" + bytes(10), "image"),
    (b"hello", "voice"),
])
def test_anything_else_is_refused(store, data, kind):
    assert _code(store.save, data, kind) == "unsupported_type"


def test_empty_oversized_and_bad_kind(tmp_path):
    store = MediaStore(tmp_path, {"image": 2000, "voice": 100})
    assert _code(store.save, b"", "image") == "empty"
    assert _code(store.save, png((400, 400), (1, 2, 3)) + bytes(3000), "image") == "too_large"
    assert _code(store.save, b"#!AMR\n" + bytes(200), "voice") == "too_large"
    assert _code(store.save, png(), "video") == "unsupported_type"
    assert _code(store.save, "not bytes", "image") == "bad_reference"
    assert not any(tmp_path.rglob("*.*"))  # nothing half-written was left behind


@pytest.mark.parametrize("size", [(16, 64), (64, 20), (5000, 40)])
def test_dimensions_outside_limits_are_refused(store, size):
    assert _code(store.save, png(size, 0, "L"), "image") == "bad_dimensions"


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming a huge canvas over a tiny compressed stream: a decompression bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(bytes(width + 1) * 8)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding(store):
    assert _code(store.save, _png_header_only(4000, 60000), "image") == "bad_dimensions"
    assert _code(store.save, _png_header_only(30000, 30000), "image") == "bad_dimensions"


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(50),               # a PNG signature and nothing else
    png()[:60],                                      # cut off mid-stream
    b"\xff\xd8\xff\xe0" + b"garbage" * 20,
    b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(10),
])
def test_broken_images_are_refused(store, data):
    assert _code(store.save, data, "image") in ("bad_image", "bad_dimensions")


@pytest.mark.parametrize("media_id", [
    "../../etc/passwd", "image/../../x", "image-" + "a" * 64 + ".png/../../x",
    "image-" + "A" * 64 + ".png", "image-" + "a" * 63 + ".png", "voice-" + "a" * 64 + ".png",
    "image-" + "a" * 64 + ".exe", "", None, 42, "image-" + "a" * 64 + ".png\x00",
])
def test_ids_are_validated_strictly(store, media_id):
    assert _code(store.get, media_id) == "bad_id"


def test_unknown_id_and_symlinked_file_are_refused(store, tmp_path):
    unknown = "image-" + "0" * 64 + ".png"
    assert _code(store.get, unknown) == "bad_id"
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    (store.root / "image").mkdir(parents=True)
    (store.root / "image" / unknown).symlink_to(secret)
    assert _code(store.get, unknown) == "bad_id"


def test_media_store_reads_the_environment(tmp_path):
    store = media_store({"SHOP_MEDIA_DIR": str(tmp_path / "m"), "SHOP_MEDIA_ALLOWED_HOSTS": "cdn.example.com, .qpic.cn",
                         "SHOP_MEDIA_MAX_IMAGE_BYTES": "1000", "SHOP_MEDIA_PLATFORM_URL": "https://x/{media_id}"})
    assert store.root == (tmp_path / "m").resolve() and store.max_bytes == {"image": 1000, "voice": 2 * 1024 * 1024}
    assert store.policy.host_allowed("mmbiz.qpic.cn") and store.policy.host_allowed("CDN.example.com")
    assert not store.policy.host_allowed("evilqpic.cn") and not store.policy.host_allowed("example.com")
    assert not store.policy.allow_private and store.platform_url == "https://x/{media_id}"
    default = media_store({})
    assert default.root.name == "media" and default.policy.allowed_hosts == ()
    with pytest.raises(ValueError):
        media_store({"SHOP_MEDIA_MAX_VOICE_BYTES": "-5"})
