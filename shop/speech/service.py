"""Voice messages for an asyncio server: fetch through the media store, decode and transcribe off the event loop.

    voice = VoiceService(media_store(), VoiceReader(configured_recognizer()))
    stored, heard = await voice.hear({"type": "voice", "media_id": "...", "format": "amr"})

ffmpeg and pocketsphinx block for up to seconds, and the platform download
blocks on the network: all three run on the service's own small thread pool,
so the server keeps answering text messages meanwhile and a burst of voice
messages queues there instead of taking every thread Sanic's loop shares.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Mapping, Optional

from shop.media import MediaRejected, MediaStore, StoredMedia
from shop.speech.asr import configured_recognizer
from shop.speech.decode import MAX_SECONDS
from shop.speech.decode import MESSAGES as AUDIO_MESSAGES
from shop.speech.voice import MESSAGES, Heard, VoiceNotUnderstood, VoiceReader

logger = logging.getLogger(__name__)

NOT_FETCHED = "抱歉，这条语音没有收到，请您重新发送或打字告诉我。"
WORKERS = 2  # pocketsphinx takes one utterance at a time; one more thread fetches and decodes meanwhile


class VoiceService:
    def __init__(self, store: MediaStore, reader: VoiceReader, workers: int = WORKERS) -> None:
        self.store = store
        self.reader = reader
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="voice")

    @property
    def available(self) -> bool:
        return self.reader.available

    @property
    def engine(self) -> str:
        return self.reader.recognizer.engine

    async def save(self, audio: bytes) -> StoredMedia:
        """Raw audio (an app upload) into the media store; ``VoiceNotUnderstood`` when it refuses it."""
        return await self._run(self._save, audio)

    async def hear(self, attachment: Mapping[str, Any]) -> tuple[StoredMedia, Heard]:
        """The stored audio of a voice attachment and what was said in it, or ``VoiceNotUnderstood``."""
        if not self.reader.available:
            # Before fetching: no download for audio nobody can listen to.
            raise VoiceNotUnderstood("not_configured", MESSAGES["not_configured"],
                                     getattr(self.reader.recognizer, "reason", ""))
        return await self._run(self._hear, attachment)

    def warm_up(self) -> None:
        """Loads the speech model on a voice thread now, so the first voice message does not wait for it
        and a broken model is logged at startup."""
        load = getattr(self.reader.recognizer, "load", None)
        if load is not None and self.reader.available:
            self._pool.submit(_log_failure, load)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def _save(self, audio: bytes) -> StoredMedia:
        try:
            return self.store.save(audio, "voice")
        except MediaRejected as e:
            raise _not_understood(e) from None

    def _hear(self, attachment: Mapping[str, Any]) -> tuple[StoredMedia, Heard]:
        try:
            stored = self.store.fetch(attachment, "voice")
            audio = stored.path.read_bytes()
        except MediaRejected as e:
            logger.info("voice: media store refused %s: %s", _describe(attachment), e)
            raise _not_understood(e) from None
        except OSError as e:  # the stored file went away between storing and reading
            logger.warning("voice: stored audio unreadable: %s", e)
            raise VoiceNotUnderstood("fetch_failed", NOT_FETCHED, str(e)) from None
        fmt = attachment.get("format")
        heard = self.reader.read(audio, fmt if isinstance(fmt, str) else None)
        logger.info("voice: %s, %.1f s of %s heard by %s in %.2f s (confidence %.2f)", stored.media_id,
                    heard.seconds, heard.source_format, heard.transcript.engine, heard.elapsed,
                    heard.transcript.confidence)
        return stored, heard


_shared: Optional[VoiceService] = None


def shared_voice_service(env: Optional[Mapping[str, str]] = None) -> VoiceService:
    """One service per process, configured from the environment (SHOP_ASR_*, SHOP_MEDIA_*,
    SHOP_VOICE_MAX_SECONDS).

    Channels share it, so the speech model is held in memory once.
    """
    global _shared
    if _shared is None:
        from shop.media import media_store

        env = os.environ if env is None else env
        recognizer = configured_recognizer({k: v for k, v in env.items() if k.startswith("SHOP_ASR_")})
        if not recognizer.available:
            logger.warning("voice messages: %s; shoppers who send voice are asked to type",
                           getattr(recognizer, "reason", "no recognizer"))
        _shared = VoiceService(media_store(env), VoiceReader(recognizer, max_seconds=max_seconds(env)))
        _shared.warm_up()
    return _shared


def max_seconds(env: Mapping[str, str]) -> float:
    raw = (env.get("SHOP_VOICE_MAX_SECONDS") or "").strip()
    if not raw:
        return MAX_SECONDS
    value = float(raw)  # a typo in deployment settings should stop the server, not be guessed around
    if not 0 < value <= MAX_SECONDS:
        raise ValueError(f"SHOP_VOICE_MAX_SECONDS must be in (0, {MAX_SECONDS:g}]")
    return value


def _not_understood(e: MediaRejected) -> VoiceNotUnderstood:
    # The store's own messages speak of pictures; a shopper who sent voice is told about voice.
    if e.code in ("too_large", "empty"):
        message = AUDIO_MESSAGES[e.code]
    elif e.code == "unsupported_type":
        message = AUDIO_MESSAGES["unsupported"]
    else:  # fetch_failed, host_not_allowed, bad_id, bad_reference
        message = NOT_FETCHED
    return VoiceNotUnderstood(e.code, message, e.detail)


def _log_failure(load) -> None:
    try:
        load()
    except Exception as e:  # AsrUnavailable and anything a model file can provoke
        logger.error("voice messages: the speech model did not load (%s); shoppers who send voice are asked "
                     "to type", e)


def _describe(attachment: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={str(attachment[k])[:80]}" for k in ("media_id", "url", "path") if attachment.get(k))
