"""Platform audio (AMR, MP3, OGG/Opus/Speex, WAV, M4A/AAC, WebM) to 16 kHz mono 16-bit PCM, via ffmpeg.

The container is recognised from the first bytes and ffmpeg is told which
demuxer to use (``-f``) and may open only the one local file (``-protocol_whitelist
file``): left to probe on its own, ffmpeg would also accept playlists (HLS,
concat) that name other files or URLs, which a shopper must not be able to send.

The input goes into a private temporary directory rather than a pipe because
M4A from phones often has its index at the end, which needs a seekable file.
Decoding stops after ``max_seconds`` plus a little; anything longer is refused,
so a long recording costs bounded time and memory.

Not supported, with a clear error: SILK (WeChat's in-app recordings,
``#!SILK_V3``; ffmpeg has no SILK decoder outside Opus) and WeChat's bare Speex
frames (its "high-definition" voice without an Ogg container). Speex inside
Ogg decodes.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

SAMPLE_RATE = 16_000
BYTES_PER_SECOND = SAMPLE_RATE * 2  # mono, 16-bit
MAX_INPUT_BYTES = 2 * 1024 * 1024  # 60 s of MP3 at 128 kbit/s is under 1 MB; phone voice is far smaller
MAX_SECONDS = 60.0
MIN_SECONDS = 0.1
TIMEOUT_SECONDS = 20.0

# What shoppers are told, by code: polite, says what to do, reveals nothing internal.
MESSAGES = {
    "empty": "抱歉，没有收到语音内容，请您重新发送或打字告诉我。",
    "too_large": "抱歉，这条语音太大了，请说短一点（60 秒以内）或打字告诉我。",
    "too_long": "抱歉，这条语音太长了，请说短一点（60 秒以内）或打字告诉我。",
    "unsupported": "抱歉，这种语音格式我暂时打不开，请您打字告诉我。",
    "undecodable": "抱歉，这条语音我没能打开，请您重新录一次或打字告诉我。",
    "decoder_unavailable": "抱歉，我暂时还听不了语音，请您打字告诉我。",
}


class AudioRejected(ValueError):
    """Audio that cannot be turned into PCM. ``code`` is stable; ``message`` is for the shopper."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.message = MESSAGES.get(code, MESSAGES["undecodable"])


@dataclass(frozen=True)
class Pcm:
    """Signed 16-bit little-endian samples, mono, 16 kHz."""

    data: bytes
    source_format: str

    @property
    def seconds(self) -> float:
        return len(self.data) / BYTES_PER_SECOND


# ISO BMFF brands of audio-only files phones and browsers record.
_MP4_BRANDS = (b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"iso5", b"iso6", b"3gp4", b"3gp5", b"3gp6",
               b"3g2a", b"dash", b"MSNV", b"qt  ")


def container_of(data: bytes) -> Optional[str]:
    """The ffmpeg demuxer for ``data``'s container, from its first bytes; None when not recognised."""
    head = data[:64]
    if head.startswith(b"#!AMR\n"):
        return "amr"
    if head.startswith(b"#!AMR-WB\n"):
        return "amr"  # ffmpeg's amr demuxer reads both headers
    if head.startswith((b"#!SILK_V3", b"\x02#!SILK_V3")):
        return "silk"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"  # WebM/Opus from a browser's MediaRecorder
    if head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return "mov"  # ffmpeg's mov demuxer reads MP4/M4A/3GP
    if head[:4] == b"fLaC":
        return "flac"
    if head.startswith(b"ID3"):
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0x03
        if layer == 0 and head[1] & 0xF6 == 0xF0:
            return "aac"  # ADTS: MPEG sync word with layer bits 00
        if layer != 0 and (head[1] >> 3) & 0x03 != 0x01:  # a valid MPEG audio version and layer
            return "mp3"
    return None


def ffmpeg_path() -> Optional[str]:
    return shutil.which("ffmpeg")


def decode(data: bytes, declared_format: Optional[str] = None, *, max_bytes: int = MAX_INPUT_BYTES,
           max_seconds: float = MAX_SECONDS, timeout: float = TIMEOUT_SECONDS) -> Pcm:
    """``data`` as 16 kHz mono PCM, or ``AudioRejected`` saying why not.

    ``declared_format`` is what the platform said (WeChat's ``Format``); the
    bytes decide, it only sharpens the error for formats that have no header.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise AudioRejected("undecodable", "audio must be bytes")
    if not data:
        raise AudioRejected("empty", "no bytes")
    if len(data) > max_bytes:
        raise AudioRejected("too_large", f"{len(data)} bytes > {max_bytes}")
    container = container_of(bytes(data[:64]))
    if container == "silk":
        raise AudioRejected("unsupported", "SILK audio (WeChat recorder) has no decoder here")
    if container is None:
        if (declared_format or "").lower() == "speex":
            raise AudioRejected("unsupported", "bare Speex frames (WeChat HD voice) have no container to decode")
        raise AudioRejected("unsupported", "not a recognised audio container")
    ffmpeg = ffmpeg_path()
    if not ffmpeg:
        raise AudioRejected("decoder_unavailable", "ffmpeg is not installed")
    with tempfile.TemporaryDirectory(prefix="shop-voice-") as private:  # created 0700
        source = Path(private) / "input"
        source.write_bytes(data)
        command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
                   "-protocol_whitelist", "file", "-f", container, "-i", f"file:{source}",
                   # A little past the limit, so "too long" is told apart from "exactly the limit".
                   "-t", f"{max_seconds + 0.5:.3f}", "-vn", "-sn", "-dn", "-map", "0:a:0",
                   "-ac", "1", "-ar", str(SAMPLE_RATE), "-acodec", "pcm_s16le", "-f", "s16le", "pipe:1"]
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise AudioRejected("undecodable", f"ffmpeg took longer than {timeout} s") from None
    pcm = done.stdout
    if done.returncode != 0 or not pcm:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AudioRejected("undecodable", f"ffmpeg ({container}): {reason[-1] if reason else 'no audio'}")
    pcm = pcm[: len(pcm) - len(pcm) % 2]
    if len(pcm) > max_seconds * BYTES_PER_SECOND:
        raise AudioRejected("too_long", f"longer than {max_seconds:g} s")
    if len(pcm) < MIN_SECONDS * BYTES_PER_SECOND:
        raise AudioRejected("empty", f"shorter than {MIN_SECONDS:g} s")
    return Pcm(pcm, container)
