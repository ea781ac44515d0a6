"""Decoding platform audio to 16 kHz mono PCM, and refusing what should not be decoded."""
import struct

import pytest

from shop.speech.decode import BYTES_PER_SECOND, AudioRejected, container_of, decode
from tests.speech.audio import convert, require, speech_wav, tone_wav

PHRASE = "please cancel my order"


@pytest.fixture(autouse=True)
def tools():
    require("ffmpeg", "espeak-ng")


@pytest.mark.parametrize("fmt, container", [("amr", "amr"), ("mp3", "mp3"), ("ogg", "ogg"), ("spx", "ogg"),
                                            ("m4a", "mov"), ("webm", "matroska"), ("wav8k", "wav")])
def test_each_platform_format_becomes_16k_mono_pcm_of_the_same_length(fmt, container):
    reference = decode(speech_wav(PHRASE))
    pcm = decode(convert(PHRASE, fmt))
    assert pcm.source_format == container
    assert len(pcm.data) % 2 == 0
    # AMR-NB's comfort-noise frames are skipped by ffmpeg's decoder: a shorter silence, the same speech.
    assert abs(pcm.seconds - reference.seconds) < (0.35 if fmt == "amr" else 0.12)
    samples = struct.unpack(f"<{len(pcm.data) // 2}h", pcm.data)
    assert max(abs(s) for s in samples) > 1000  # speech, not silence


def test_espeak_wav_is_resampled_to_16k():
    wav = speech_wav(PHRASE)
    source_rate = struct.unpack("<I", wav[24:28])[0]
    pcm = decode(wav)
    assert source_rate == 22050 and pcm.source_format == "wav"
    # espeak-ng's piped header has no real data size: count the samples after the 44-byte header.
    assert pcm.seconds == pytest.approx((len(wav) - 44) / 2 / source_rate, abs=0.02)


def test_audio_over_the_duration_limit_is_refused():
    with pytest.raises(AudioRejected) as e:
        decode(tone_wav(3.0), max_seconds=2.0)
    assert e.value.code == "too_long" and "60" in e.value.message
    assert decode(tone_wav(1.9), max_seconds=2.0).seconds == pytest.approx(1.9, abs=0.01)


def test_a_long_recording_is_refused_at_the_default_60_seconds():
    with pytest.raises(AudioRejected) as e:
        decode(tone_wav(61))
    assert e.value.code == "too_long"


def test_audio_over_the_size_limit_is_refused_before_decoding():
    data = convert(PHRASE, "mp3")
    with pytest.raises(AudioRejected) as e:
        decode(data, max_bytes=len(data) - 1)
    assert e.value.code == "too_large"
    assert decode(data, max_bytes=len(data)).seconds > 1


@pytest.mark.parametrize("data, code", [
    (b"", "empty"),
    (b"\x00\x01garbage bytes that are not audio" * 20, "unsupported"),
    (b"<html><body>404</body></html>", "unsupported"),
    (b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10,\nfile:///etc/passwd\n", "unsupported"),  # a playlist
    (b"#!SILK_V3" + bytes(200), "unsupported"),
    (b"\x02#!SILK_V3" + bytes(200), "unsupported"),
    (b"#!AMR\n" + b"\xff" * 300, "undecodable"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 200, "undecodable"),
    (b"OggS" + bytes(500), "undecodable"),
])
def test_garbage_and_unsupported_audio_get_a_clear_error(data, code):
    with pytest.raises(AudioRejected) as e:
        decode(data)
    assert e.value.code == code
    assert e.value.message.startswith("抱歉")


def test_truncated_audio_is_refused_or_decoded_shorter_never_crashes():
    data = convert(PHRASE, "mp3")
    try:
        pcm = decode(data[: len(data) // 3])
    except AudioRejected as e:
        assert e.code in ("undecodable", "empty")
    else:
        assert pcm.seconds < decode(data).seconds


def test_bare_speex_as_wechat_declares_it_is_named_in_the_error():
    with pytest.raises(AudioRejected) as e:
        decode(bytes(range(256)) * 4, "speex")
    assert e.value.code == "unsupported" and "Speex" in e.value.detail


def test_non_bytes_are_refused():
    with pytest.raises(AudioRejected):
        decode("RIFF....WAVE")  # type: ignore[arg-type]


@pytest.mark.parametrize("head, container", [
    (b"#!AMR\n", "amr"), (b"#!AMR-WB\n", "amr"), (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"), (b"OggS\x00", "ogg"),
    (b"ID3\x04", "mp3"), (b"\xff\xfb\x90\x00", "mp3"), (b"\xff\xf1\x50\x80", "aac"),
    (b"\x00\x00\x00\x20ftypM4A \x00", "mov"), (b"\x1a\x45\xdf\xa3", "matroska"), (b"fLaC", "flac"),
    (b"\xff\xd8\xff\xe0", None), (b"\x89PNG\r\n\x1a\n", None), (b"", None),
])
def test_container_is_recognised_from_the_first_bytes(head, container):
    assert container_of(head) == container


def test_pcm_rate_constant():
    assert BYTES_PER_SECOND == 32000
