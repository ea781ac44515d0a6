"""Voice messages: platform audio decoded to 16 kHz PCM (ffmpeg) and transcribed offline (pocketsphinx).

    reader = VoiceReader(configured_recognizer())      # SHOP_ASR_ENGINE / SHOP_ASR_MODEL_DIR / SHOP_ASR_LANG
    heard = reader.read(audio_bytes, "amr")            # blocking: run it in a worker thread
    heard.transcript.text, heard.transcript.confidence

Every refusal is a ``VoiceNotUnderstood`` with a ``code`` and a Chinese ``message``
for the shopper (not configured, too long, undecodable, nothing heard). See docs/voice.md.
"""
from shop.speech.asr import (AsrUnavailable, PocketSphinxRecognizer, RecognitionFailed, Recognizer, Transcript,
                             Unavailable, configured_recognizer, join_cjk)
from shop.speech.decode import AudioRejected, Pcm, decode
from shop.speech.voice import Heard, VoiceNotUnderstood, VoiceReader

__all__ = ["AsrUnavailable", "AudioRejected", "Heard", "Pcm", "PocketSphinxRecognizer", "RecognitionFailed",
           "Recognizer", "Transcript", "Unavailable", "VoiceNotUnderstood", "VoiceReader", "configured_recognizer",
           "decode", "join_cjk"]
