"""Audio bytes to text or a polite Chinese refusal, as the channels use it."""
import pytest

from shop.speech import Transcript, Unavailable, VoiceNotUnderstood, VoiceReader, configured_recognizer
from tests.speech.audio import convert, en_model_dir, require, tone_wav


class CountingRecognizer:
    """A recognizer that records what it was given, to show what the reader skips."""

    engine, language, available = "counting", "en-US", True

    def __init__(self):
        self.calls = 0

    def transcribe(self, pcm16k):
        self.calls += 1
        return Transcript("", 0.0, self.engine, self.language)


@pytest.fixture(scope="module")
def reader():
    require("ffmpeg", "espeak-ng")
    return VoiceReader(configured_recognizer({"model_dir": str(en_model_dir()), "lang": "en-US"}))


def test_ogg_opus_voice_is_heard_with_length_format_and_timing(reader):
    heard = reader.read(convert("please cancel my order", "ogg"), "ogg")
    assert heard.transcript.text == "please cancel my order"
    assert heard.source_format == "ogg" and 1.0 < heard.seconds < 3.0 and heard.elapsed > 0


def test_no_recognizer_is_refused_before_any_decoding():
    with pytest.raises(VoiceNotUnderstood) as e:
        VoiceReader(Unavailable("nothing configured")).read(b"not even audio")
    assert e.value.code == "not_configured"
    assert e.value.message == "抱歉，我暂时还听不了语音，请您打字告诉我。"


@pytest.mark.parametrize("audio, code", [(b"", "empty"), (b"\x13\x37" * 500, "unsupported"),
                                         (b"#!AMR\n" + b"\xff" * 300, "undecodable")])
def test_bad_audio_is_refused_with_its_code_and_never_reaches_the_recognizer(audio, code):
    recognizer = CountingRecognizer()
    with pytest.raises(VoiceNotUnderstood) as e:
        VoiceReader(recognizer).read(audio)
    assert e.value.code == code and e.value.message.startswith("抱歉")
    assert recognizer.calls == 0


def test_too_long_voice_is_refused():
    require("ffmpeg")
    with pytest.raises(VoiceNotUnderstood) as e:
        VoiceReader(CountingRecognizer(), max_seconds=2).read(tone_wav(3))
    assert e.value.code == "too_long" and "60" not in e.value.detail


def test_audio_with_no_words_is_not_heard():
    require("ffmpeg")
    recognizer = CountingRecognizer()
    with pytest.raises(VoiceNotUnderstood) as e:
        VoiceReader(recognizer).read(tone_wav(1))
    assert e.value.code == "not_heard" and recognizer.calls == 1


def test_the_shared_service_is_configured_from_the_environment_once(monkeypatch, tmp_path):
    from shop.speech import service

    monkeypatch.setattr(service, "_shared", None)
    env = {"SHOP_ASR_MODEL_DIR": str(en_model_dir()), "SHOP_ASR_LANG": "en-US", "SHOP_VOICE_MAX_SECONDS": "20",
           "SHOP_MEDIA_DIR": str(tmp_path)}
    shared = service.shared_voice_service(env)
    try:
        assert shared.available and shared.engine == "pocketsphinx" and shared.reader.max_seconds == 20
        assert shared.store.root == tmp_path.resolve()
        assert service.shared_voice_service({}) is shared  # later callers get the same model
    finally:
        shared.close()


@pytest.mark.parametrize("value", ["0", "61", "abc"])
def test_a_bad_voice_length_limit_stops_startup(value):
    from shop.speech.service import max_seconds

    with pytest.raises(ValueError):
        max_seconds({"SHOP_VOICE_MAX_SECONDS": value})
