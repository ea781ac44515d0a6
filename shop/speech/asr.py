"""Speech recognition behind one small interface, with pocketsphinx as the offline engine.

    recognizer = configured_recognizer()          # from SHOP_ASR_* (see settings below)
    transcript = recognizer.transcribe(pcm16k)    # 16 kHz mono 16-bit little-endian PCM

Settings (environment, or the same names lower-case without ``SHOP_ASR_`` in a mapping):

SHOP_ASR_ENGINE     ``pocketsphinx``, or ``none``/unset. Unset with a model directory
                    set means pocketsphinx.
SHOP_ASR_MODEL_DIR  a pocketsphinx model directory: an acoustic model folder (the one
                    holding ``mdef``, either the directory itself or one folder inside
                    it), a language model (``*.lm.bin``, ``*.lm``, ``*.lm.DMP``; not the
                    ``-phone`` one) and a pronunciation dictionary (``*.dict``). Debian's
                    ``/usr/share/pocketsphinx/model/en-us`` has exactly this layout.
SHOP_ASR_LANG       the model's language as a tag (``zh-CN``, ``en-US``); when unset, the
                    model directory's name if it looks like one, else ``und``.

No Chinese model can be had on this machine; a Chinese pocketsphinx model
(``zh_cn.cd_cont_5000``, ``zh_cn.lm.bin``, ``zh_cn.dic``) configured the same
way works unchanged: its words come out space-separated and the spaces between
Chinese characters are taken out here, so the NLU sees 我的快递到哪了, not 我 的 快递.

With nothing configured, ``configured_recognizer`` returns an ``Unavailable``
recognizer whose ``transcribe`` raises ``AsrUnavailable`` with the reason, so
callers answer the shopper rather than fail silently.
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Protocol

import numpy as np

logger = logging.getLogger(__name__)

ENV_PREFIX = "SHOP_ASR_"
MAX_PCM_BYTES = 61 * 16_000 * 2  # the decoder's 60 s cap, with a margin
PROBE_TIMEOUT_SECONDS = 60
FRAME_SAMPLES = 320  # 20 ms at 16 kHz
MIN_SPEECH_RMS = 100.0  # of 32768: about -50 dBFS
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_FILLER = re.compile(r"^(<.*>|\[.*\]|\+\+.*\+\+)$")  # <s>, </s>, <sil>, [NOISE], ++UH++
_LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})[-_]([a-z]{2})$", re.IGNORECASE)


class AsrUnavailable(RuntimeError):
    """No engine can transcribe: none configured, or the configured one cannot load."""


class RecognitionFailed(RuntimeError):
    """The engine ran and failed on this audio."""


@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float  # 0..1; pocketsphinx: the mean word posterior (loosely calibrated)
    engine: str
    language: str


class Recognizer(Protocol):
    engine: str
    language: str

    @property
    def available(self) -> bool: ...

    def transcribe(self, pcm16k: bytes) -> Transcript: ...


class Unavailable:
    """The recognizer when none is configured: says so on every call."""

    engine = "none"

    def __init__(self, reason: str, language: str = "und") -> None:
        self.reason = reason
        self.language = language

    @property
    def available(self) -> bool:
        return False

    def transcribe(self, pcm16k: bytes) -> Transcript:
        raise AsrUnavailable(self.reason)


@dataclass(frozen=True)
class PocketSphinxModel:
    hmm: Path
    lm: Path
    dict: Path

    @classmethod
    def find(cls, model_dir: Path) -> "PocketSphinxModel":
        """The acoustic model, language model and dictionary inside ``model_dir``."""
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise AsrUnavailable(f"ASR model directory {model_dir} does not exist")
        hmm_dirs = [model_dir] if (model_dir / "mdef").is_file() else sorted(
            p for p in model_dir.iterdir() if p.is_dir() and (p / "mdef").is_file())
        lms = sorted(p for p in model_dir.iterdir()
                     if p.is_file() and p.name.endswith((".lm.bin", ".lm", ".lm.DMP")) and "-phone" not in p.name)
        dicts = sorted(p for p in model_dir.iterdir() if p.is_file() and p.name.endswith((".dict", ".dic")))
        for what, found in (("acoustic model (a folder with mdef)", hmm_dirs), ("language model (*.lm.bin)", lms),
                            ("dictionary (*.dict)", dicts)):
            if len(found) != 1:
                raise AsrUnavailable(f"{model_dir}: expected one {what}, found {len(found)}")
        return cls(hmm_dirs[0], lms[0], dicts[0])


class PocketSphinxRecognizer:
    """pocketsphinx 5 over one model; loaded on first use, one utterance at a time.

    A pocketsphinx Decoder holds the state of the utterance it is decoding, so
    calls from several worker threads take turns on it.
    """

    engine = "pocketsphinx"

    def __init__(self, model: PocketSphinxModel, language: str) -> None:
        self.model = model
        self.language = language
        self._decoder = None
        self._failure: Optional[str] = None  # why the model could not load; not retried until restart
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._failure is None

    @property
    def reason(self) -> str:
        return self._failure or ""

    def load(self) -> None:
        with self._lock:
            self._load()

    def _load(self):
        if self._failure:
            raise AsrUnavailable(self._failure)
        try:
            return self._load_once()
        except AsrUnavailable as e:
            self._failure = str(e)
            raise

    def _load_once(self):
        if self._decoder is None:
            try:
                from pocketsphinx import Decoder
            except ImportError as e:
                raise AsrUnavailable(f"pocketsphinx is not installed: {e}") from None
            self._probe()
            try:
                self._decoder = Decoder(hmm=str(self.model.hmm), lm=str(self.model.lm), dict=str(self.model.dict),
                                        loglevel="FATAL")
            except (RuntimeError, ValueError) as e:
                raise AsrUnavailable(f"pocketsphinx cannot load {self.model.hmm.parent}: {e}") from None
            logger.info("ASR: pocketsphinx loaded %s (%s)", self.model.hmm.parent, self.language)
        return self._decoder

    def _probe(self) -> None:
        """Loads the model once in a child process first.

        pocketsphinx calls exit() on some broken model files (a bad ``mdef``),
        which would take the whole Rasa server down with it; a child that dies
        only tells us the model is unusable.
        """
        script = ("import sys; from pocketsphinx import Decoder; "
                  "Decoder(hmm=sys.argv[1], lm=sys.argv[2], dict=sys.argv[3], loglevel='ERROR')")
        try:
            done = subprocess.run([sys.executable, "-c", script, str(self.model.hmm), str(self.model.lm),
                                   str(self.model.dict)], capture_output=True, timeout=PROBE_TIMEOUT_SECONDS,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise AsrUnavailable(f"pocketsphinx took over {PROBE_TIMEOUT_SECONDS} s to load "
                                 f"{self.model.hmm.parent}") from None
        if done.returncode != 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise AsrUnavailable(f"pocketsphinx cannot load {self.model.hmm.parent}: "
                                 f"{lines[-1] if lines else f'exit status {done.returncode}'}")

    def transcribe(self, pcm16k: bytes) -> Transcript:
        if not isinstance(pcm16k, (bytes, bytearray)) or len(pcm16k) % 2:
            raise RecognitionFailed("PCM must be bytes of whole 16-bit samples")
        if len(pcm16k) > MAX_PCM_BYTES:
            raise RecognitionFailed("PCM longer than the 60 s the decoder lets through")
        if not speech_present(pcm16k):
            # Given silence or hum, pocketsphinx still returns its likeliest word ("in").
            return Transcript("", 0.0, self.engine, self.language)
        with self._lock:
            decoder = self._load()
            try:
                decoder.start_utt()
                decoder.process_raw(bytes(pcm16k), no_search=False, full_utt=True)
                decoder.end_utt()
            except RuntimeError as e:
                raise RecognitionFailed(f"pocketsphinx: {e}") from None
            hyp = decoder.hyp()
            posteriors = [float(seg.prob) for seg in decoder.seg() if not _FILLER.match(seg.word)]
        text = join_cjk(hyp.hypstr) if hyp is not None else ""
        # The mean word posterior: the utterance's own posterior is their product,
        # which shrinks with every word and says little about a long sentence.
        confidence = min(max(sum(posteriors) / len(posteriors), 0.0), 1.0) if text and posteriors else 0.0
        return Transcript(text, round(confidence, 4), self.engine, self.language)


def speech_present(pcm16k: bytes) -> bool:
    """Whether some 20 ms of the audio are louder than a quiet room (RMS above about -50 dBFS)."""
    samples = np.frombuffer(bytes(pcm16k), dtype="<i2").astype(np.float64)
    frames = samples[: len(samples) - len(samples) % FRAME_SAMPLES].reshape(-1, FRAME_SAMPLES)
    if not len(frames):
        return False
    return bool(np.sqrt((frames ** 2).mean(axis=1)).max() >= MIN_SPEECH_RMS)


def join_cjk(text: str) -> str:
    """Words as a Chinese model emits them ("我 的 快递") as the NLU expects them ("我的快递")."""
    return _SPACE_BETWEEN_CJK.sub("", " ".join(text.split()))


def configured_recognizer(settings: Optional[Mapping[str, str]] = None) -> Recognizer:
    """The recognizer the settings (else the environment) name; ``Unavailable`` with the reason otherwise.

    A configured model that cannot be found is logged as an error and answered
    as unavailable: the text channels keep working while it is fixed.
    """
    get = _getter(settings)
    engine = (get("engine") or "").strip().lower()
    model_dir = (get("model_dir") or "").strip()
    if not engine:
        engine = "pocketsphinx" if model_dir else "none"
    language = (get("lang") or "").strip() or _language_of(model_dir)
    if engine in ("none", "off"):
        return Unavailable("no speech recognition configured (SHOP_ASR_ENGINE / SHOP_ASR_MODEL_DIR)", language)
    if engine != "pocketsphinx":
        logger.error("ASR: unknown engine %r (SHOP_ASR_ENGINE); voice messages are answered with a request for text",
                     engine)
        return Unavailable(f"unknown ASR engine {engine!r}", language)
    if not model_dir:
        logger.error("ASR: pocketsphinx needs SHOP_ASR_MODEL_DIR; voice messages are answered with a request for text")
        return Unavailable("SHOP_ASR_MODEL_DIR is not set", language)
    try:
        model = PocketSphinxModel.find(Path(model_dir))
    except AsrUnavailable as e:
        logger.error("ASR: %s; voice messages are answered with a request for text", e)
        return Unavailable(str(e), language)
    return PocketSphinxRecognizer(model, language)


def _getter(settings: Optional[Mapping[str, str]]):
    if settings is None:
        return lambda name: os.environ.get(ENV_PREFIX + name.upper())
    return lambda name: settings.get(name) if settings.get(name) is not None else settings.get(
        ENV_PREFIX + name.upper())


def _language_of(model_dir: str) -> str:
    m = _LANGUAGE_TAG.match(Path(model_dir).name) if model_dir else None
    return f"{m.group(1).lower()}-{m.group(2).upper()}" if m else "und"
