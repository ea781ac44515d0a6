"""Media type from the first bytes, never from a file name or a declared MIME type."""
from __future__ import annotations

from typing import NamedTuple


class Sniffed(NamedTuple):
    kind: str   # "image" | "voice"
    ext: str
    mime: str


# ISO BMFF brands that carry audio (M4A from phones, MP4 audio from the app's recorder).
_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"3gp4", b"3gp5", b"3g2a", b"dash"}

TYPES = {
    "jpg": Sniffed("image", "jpg", "image/jpeg"), "png": Sniffed("image", "png", "image/png"),
    "webp": Sniffed("image", "webp", "image/webp"), "gif": Sniffed("image", "gif", "image/gif"),
    "amr": Sniffed("voice", "amr", "audio/amr"), "silk": Sniffed("voice", "silk", "audio/silk"),
    "mp3": Sniffed("voice", "mp3", "audio/mpeg"), "ogg": Sniffed("voice", "ogg", "audio/ogg"),
    "wav": Sniffed("voice", "wav", "audio/wav"), "m4a": Sniffed("voice", "m4a", "audio/mp4"),
    "aac": Sniffed("voice", "aac", "audio/aac"),
}


def sniff(data: bytes) -> Sniffed | None:
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return TYPES["jpg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return TYPES["webp"]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return TYPES["gif"]
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return TYPES["amr"]
    # WeChat's SILK files carry one extra \x02 byte before the standard header.
    if head.startswith((b"#!SILK_V3", b"\x02#!SILK_V3")):
        return TYPES["silk"]
    if head[:4] == b"OggS":
        return TYPES["ogg"]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return TYPES["wav"]
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return TYPES["m4a"]
    if head.startswith(b"ID3"):
        return TYPES["mp3"]
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0x03
        if head[1] & 0xF0 == 0xF0 and layer == 0:
            return TYPES["aac"]  # ADTS: the MPEG sync word with layer bits 00
        if layer != 0 and (head[1] >> 3) & 0x03 != 0x01:  # a valid MPEG audio layer and version
            return TYPES["mp3"]
    return None
