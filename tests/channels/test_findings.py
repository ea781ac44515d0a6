"""The issue's findings 8 and 9 on the platform channels: deep bodies, huge numbers, lone surrogates.

Each fails on the code before the fix (a 500, or a message that could not be stored) and
passes after: a clear 4xx that reaches nobody, or the text kept with U+FFFD and answered.
"""
import json

import pytest

from channels.app import AppInput
from channels.miniprogram import MiniProgramInput
from tests.channels import test_app_channel as app_t
from tests.channels import test_miniprogram_channel as mp_t
from tests.channels import test_social_channel as social_t
from tests.channels.harness import RecordingBot, client

pytestmark = pytest.mark.anyio

DEEP_JSON = b"[" * 10000 + b"]" * 10000
DEEP_XML = "<xml>" + "<a>" * 5000 + "</a>" * 5000 + "</xml>"  # within the 64 KB body limit


async def test_app_refuses_deep_nesting_and_huge_numbers_with_400():
    bot = RecordingBot()
    async with client(AppInput(app_t.TOKEN), bot) as c:
        for body in (DEEP_JSON, json.dumps(app_t.message()).replace('"text"', '"x": ' + "[" * 5000 + "]" * 5000
                                                                        + ', "text"').encode(),
                     json.dumps(app_t.message(timestamp=int("9" * 400))).encode()):
            r = await c.post(app_t.URL, content=body, headers={**app_t.AUTH, "Content-Type": "application/json"})
            assert r.status_code == 400
    assert bot.received == []


async def test_miniprogram_refuses_deep_xml_and_json_with_400():
    bot = RecordingBot()
    async with client(MiniProgramInput(mp_t.TOKEN, message_mode="plain"), bot) as c:
        assert (await mp_t.post(c, DEEP_XML)).status_code == 400
        assert (await mp_t.post(c, DEEP_JSON.replace(b"[", b"{\"a\":", 1))).status_code == 400
        huge = mp_t.TEXT_XML.replace("<CreateTime>1732500000", "<CreateTime>" + "9" * 400)
        assert (await mp_t.post(c, huge)).status_code == 400
    assert bot.received == []


async def test_social_refuses_deep_nesting_and_ignores_absurd_times():
    bot = RecordingBot()
    async with client(social_t.channel(), bot) as c:
        assert (await social_t.post(c, DEEP_JSON)).status_code == 400
        nested = social_t.delivery([social_t.dm()])
        nested["entry"][0]["messaging"][0]["message"]["x"] = json.loads("[" * 15 + "]" * 15)
        assert (await social_t.post(c, nested)).status_code == 400
        assert bot.received == []
        odd = social_t.delivery([{**social_t.dm(mid="m_T"), "timestamp": int("9" * 400)}])
        assert (await social_t.post(c, odd)).status_code == 200
    assert [m.message_id for m in bot.received] == ["m_T"]


async def test_lone_surrogates_are_kept_as_replacement_characters_on_app_and_social():
    """Finding 9: a lone surrogate gave a 200 with nothing stored."""
    bot = RecordingBot()
    async with client(AppInput(app_t.TOKEN), bot) as c:
        body = json.dumps(app_t.message()).replace("\\u8fd9", "\\ud800").encode()
        r = await c.post(app_t.URL, content=body, headers={**app_t.AUTH, "Content-Type": "application/json"})
    assert r.status_code == 200 and bot.received[0].text.startswith("\ufffd")
    async with client(social_t.channel(), bot) as c:
        body = json.dumps(social_t.delivery([social_t.dm(text="X有M码吗")])).replace("X", "\\udfff\\u0000").encode()
        r = await social_t.post(c, body)
    assert r.status_code == 200 and bot.received[1].text == "\ufffd\ufffd有M码吗"
    for m in bot.received:
        m.text.encode("utf-8")  # what the tracker store must be able to do


async def test_a_non_utf8_authorization_header_is_a_401_not_a_crash():
    bot = RecordingBot()
    async with client(AppInput(app_t.TOKEN), bot) as c:
        r = await c.post(app_t.URL, json=app_t.message(), headers={"Authorization": b"Bearer \xe9\xe9"})
    assert r.status_code == 401 and bot.received == []
