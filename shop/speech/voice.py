"""A voice message, start to finish: audio bytes -> PCM -> transcript, or why not in words for the shopper."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Optional

from shop.speech.asr import AsrUnavailable, RecognitionFailed, Recognizer, Transcript
from shop.speech.decode import MAX_INPUT_BYTES, MAX_SECONDS, AudioRejected, decode

logger = logging.getLogger(__name__)

# What the shopper is told when a voice message cannot be understood, by code.
# Decoding problems reuse the decoder's own messages (AudioRejected.message).
MESSAGES = {
    "not_configured": "抱歉，我暂时还听不了语音，请您打字告诉我。",
    "not_heard": "抱歉，我没听清您说的话，请再说一遍或打字告诉我。",
    "recognition_failed": "抱歉，这条语音我没能听懂，请您打字告诉我。",
}


class VoiceNotUnderstood(Exception):
    """A voice message that yields no text. ``code`` is stable; ``message`` is Chinese, for the shopper."""

    def __init__(self, code: str, message: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class Heard:
    transcript: Transcript
    seconds: float  # length of the audio
    source_format: str  # the container ffmpeg read
    elapsed: float  # seconds spent decoding and recognising


class VoiceReader:
    """Decodes and transcribes voice messages with one recognizer under the shop's limits.

    Blocking (ffmpeg, pocketsphinx): call it from a worker thread, not an event loop.
    """

    def __init__(self, recognizer: Recognizer, max_bytes: int = MAX_INPUT_BYTES,
                 max_seconds: float = MAX_SECONDS) -> None:
        self.recognizer = recognizer
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds

    @property
    def available(self) -> bool:
        return self.recognizer.available

    def read(self, audio: bytes, declared_format: Optional[str] = None) -> Heard:
        started = time.monotonic()
        if not self.recognizer.available:
            # Checked before decoding: no point spending ffmpeg on audio nobody can hear.
            raise VoiceNotUnderstood("not_configured", MESSAGES["not_configured"],
                                     getattr(self.recognizer, "reason", "no recognizer"))
        try:
            pcm = decode(audio, declared_format, max_bytes=self.max_bytes, max_seconds=self.max_seconds)
        except AudioRejected as e:
            raise VoiceNotUnderstood(e.code, e.message, e.detail) from None
        try:
            transcript = self.recognizer.transcribe(pcm.data)
        except AsrUnavailable as e:
            logger.error("ASR unavailable: %s", e)
            raise VoiceNotUnderstood("not_configured", MESSAGES["not_configured"], str(e)) from None
        except RecognitionFailed as e:
            logger.warning("ASR failed on %.1f s of %s audio: %s", pcm.seconds, pcm.source_format, e)
            raise VoiceNotUnderstood("recognition_failed", MESSAGES["recognition_failed"], str(e)) from None
        if not transcript.text.strip():
            raise VoiceNotUnderstood("not_heard", MESSAGES["not_heard"], f"{pcm.seconds:.1f} s, no words")
        return Heard(transcript, round(pcm.seconds, 2), pcm.source_format, round(time.monotonic() - started, 3))
