"""Replies spoken by espeak-ng's Mandarin voice, for voice-first app clients."""
import pytest

from shop.speech.decode import decode
from shop.speech.tts import MAX_TEXT_CHARS, SpeechUnavailable, reply_format, speak, speakable
from tests.speech.audio import require


@pytest.fixture(autouse=True)
def tools():
    require("ffmpeg", "espeak-ng")


@pytest.mark.parametrize("fmt, head, container", [("mp3", (b"ID3", b"\xff\xfb", b"\xff\xf3"), "mp3"),
                                                  ("wav", (b"RIFF",), "wav")])
def test_a_chinese_reply_is_spoken_as_audio_our_own_decoder_reads(fmt, head, container):
    audio = speak("亲，您的订单已发货，预计明天送达。", fmt)
    assert audio.startswith(head)
    pcm = decode(audio)
    assert pcm.source_format == container and 1.5 < pcm.seconds < 15


def test_longer_text_makes_longer_speech():
    short = decode(speak("好的。", "wav")).seconds
    longer = decode(speak("好的，已经为您取消订单，退款将在三个工作日内原路退回。", "wav")).seconds
    assert longer > short + 1


def test_text_that_looks_like_an_option_is_spoken_not_obeyed():
    assert decode(speak("--help -w /tmp/x.wav", "wav")).seconds > 0.5


@pytest.mark.parametrize("text", ["", "   ", "https://shop.example.com/p/1", "\x00\x01"])
def test_nothing_to_say_is_refused(text):
    with pytest.raises(SpeechUnavailable):
        speak(text)


def test_links_and_control_characters_are_not_read_out_and_long_text_is_cut_at_a_sentence():
    assert speakable("详情见 https://shop.example.com/o/1001 。\x07谢谢") == "详情见 。 谢谢"
    long = ("这是一句话。" * 100)
    cut = speakable(long)
    assert len(cut) <= MAX_TEXT_CHARS and cut.endswith("。")


@pytest.mark.parametrize("fmt, voice", [("ogg", "cmn"), ("mp3", "cmn; rm -rf /"), ("mp3", "-w/tmp/x")])
def test_unknown_formats_and_voice_names_are_refused(fmt, voice):
    with pytest.raises(ValueError):
        speak("你好", fmt, voice=voice)


@pytest.mark.parametrize("value, fmt", [(None, None), (False, None), (True, "mp3"), ("wav", "wav"), ("mp3", "mp3")])
def test_reply_format(value, fmt):
    assert reply_format(value) == fmt


@pytest.mark.parametrize("value", ["ogg", 1, "MP3", {}])
def test_bad_reply_format(value):
    with pytest.raises(ValueError):
        reply_format(value)
