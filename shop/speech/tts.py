"""Replies as speech for voice-first clients: espeak-ng (Mandarin by default) to MP3 or WAV.

espeak-ng's Mandarin is robotic but clear and fully offline. The text goes in
on stdin, never as an argument, so a reply that starts with "-" cannot be read
as an option; MP3 goes through ffmpeg (about 4 KB per second at 32 kbit/s).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from typing import Optional

VOICE = "cmn"
FORMATS = ("mp3", "wav")
MAX_TEXT_CHARS = 300  # a reply longer than this is better read than listened to
TIMEOUT_SECONDS = 15.0
_URL = re.compile(r"https?://\S+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class SpeechUnavailable(RuntimeError):
    """The reply cannot be spoken: no synthesiser installed, nothing to say, or it failed."""


def speakable(text: str) -> str:
    """What of ``text`` is worth saying: links and control characters out, cut at a sentence end."""
    text = _CONTROL.sub(" ", _URL.sub("", text or ""))
    text = " ".join(text.split())
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text[:MAX_TEXT_CHARS]
    end = max(cut.rfind(p) for p in "。！？!?.；;")
    return cut[: end + 1] if end > MAX_TEXT_CHARS // 2 else cut


def speak(text: str, fmt: str = "mp3", voice: str = VOICE, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """``text`` spoken, as MP3 or WAV bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)*(\+[a-z0-9]+)?", voice or ""):
        raise ValueError(f"not an espeak-ng voice name: {voice!r}")
    words = speakable(text)
    if not words:
        raise SpeechUnavailable("nothing to say")
    espeak = shutil.which("espeak-ng")
    if not espeak:
        raise SpeechUnavailable("espeak-ng is not installed")
    wav = _run([espeak, "-v", voice, "-b", "1", "--stdin", "--stdout"], words.encode("utf-8"), timeout)
    if fmt == "wav":
        return wav
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise SpeechUnavailable("ffmpeg is not installed")
    return _run([ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0",
                 "-ac", "1", "-ar", "16000", "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "pipe:1"],
                wav, timeout)


def _run(command: list, stdin: bytes, timeout: float) -> bytes:
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise SpeechUnavailable(f"{command[0]} took longer than {timeout} s") from None
    if done.returncode != 0 or not done.stdout:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SpeechUnavailable(f"{command[0]}: {lines[-1] if lines else 'no output'}")
    return done.stdout


def reply_format(value: object) -> Optional[str]:
    """A client's ``reply_audio`` request as a format: true means MP3; false/absent none."""
    if value is None or value is False:
        return None
    if value is True:
        return "mp3"
    if isinstance(value, str) and value in FORMATS:
        return value
    raise ValueError(f"reply_audio must be true, false or one of {FORMATS}")
