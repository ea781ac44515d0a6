"""Test audio made at test time: espeak-ng speech, converted by ffmpeg (or sox for AMR-NB, which ffmpeg only reads)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest

EN_MODEL_DIRS = (Path("/usr/share/pocketsphinx/model/en-us"),)  # Debian's pocketsphinx-en-us, as the issue asks
# espeak-ng's Klatt variant is the one pocketsphinx's US model hears best (docs/voice.md has the figures).
VOICE = "en-us+klatt"


def require(*tools: str) -> None:
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (scripts/install_system.sh installs them)")


def en_model_dir() -> Path:
    for d in EN_MODEL_DIRS:
        if (d / "en-us" / "mdef").is_file():
            return d
    # Explicit fallback: the US model the pocketsphinx wheel carries, same layout.
    import pocketsphinx

    wheel = Path(pocketsphinx.get_model_path()) / "en-us"
    if (wheel / "en-us" / "mdef").is_file():
        return wheel
    pytest.skip("no pocketsphinx US-English model (Debian pocketsphinx-en-us)")


@lru_cache(maxsize=64)
def speech_wav(text: str, voice: str = VOICE) -> bytes:
    require("espeak-ng")
    return subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], capture_output=True, check=True,
                          timeout=30).stdout


@lru_cache(maxsize=64)
def convert(text: str, fmt: str) -> bytes:
    """``text`` spoken, in a platform format: amr, mp3, ogg (Opus), spx (Speex in Ogg), m4a, webm, wav8k."""
    wav = speech_wav(text)
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d) / "in.wav", Path(d) / f"out.{fmt}"
        src.write_bytes(wav)
        if fmt == "amr":  # WeChat's voice: AMR-NB, 8 kHz mono
            require("sox")
            command = ["sox", "-D", str(src), "-r", "8000", "-c", "1", "-C", "7", "-t", "amr-nb", str(out)]
        else:
            require("ffmpeg")
            codec = {"mp3": ["-c:a", "libmp3lame"], "ogg": ["-c:a", "libopus"], "webm": ["-c:a", "libopus"],
                     "spx": ["-c:a", "libspeex", "-ar", "16000", "-f", "ogg"], "m4a": ["-c:a", "aac"],
                     "wav8k": ["-ar", "8000", "-ac", "1", "-c:a", "pcm_s16le", "-f", "wav"]}[fmt]
            command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(src), *codec, str(out)]
        subprocess.run(command, check=True, capture_output=True, timeout=30)
        return out.read_bytes()


def tone_wav(seconds: float) -> bytes:
    """A sine tone of ``seconds`` as 8 kHz WAV (small, so only its length is over a limit)."""
    require("ffmpeg")
    return subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                           f"sine=frequency=440:sample_rate=8000:duration={seconds}", "-ac", "1", "-f", "wav",
                           "pipe:1"], capture_output=True, check=True, timeout=30).stdout


def words_wrong(reference: list[str], heard: list[str]) -> int:
    """Word-level edit distance (substitutions, insertions, deletions)."""
    row = list(range(len(heard) + 1))
    for i, ref in enumerate(reference, 1):
        diagonal, row[0] = row[0], i
        for j, word in enumerate(heard, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (ref != word))
    return row[-1]
