"""credentials.yml as ``rasa run`` reads it: REST stays (wrapped, demo mode), the three channels load with secrets from the environment."""
from pathlib import Path

import pytest
from rasa.core.run import create_http_input_channels

from channels.app import AppInput
from channels.miniprogram import MiniProgramInput
from channels.rest import RestInput
from channels.social import SocialInput
from tests.channels.harness import RecordingBot, client

CREDENTIALS = str(Path(__file__).resolve().parents[2] / "credentials.yml")
ENV = {"SHOP_APP_TOKEN": "t-app", "SHOP_MINIPROGRAM_TOKEN": "t-mp", "SHOP_SOCIAL_APP_SECRET": "s-social",
       "SHOP_SOCIAL_VERIFY_TOKEN": "v-social"}


def channels_by_name():
    return {c.name(): c for c in create_http_input_channels(None, CREDENTIALS)}


def test_rest_stays_and_each_platform_has_its_channel(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SHOP_MINIPROGRAM_AES_KEY", raising=False)
    monkeypatch.delenv("SHOP_REST_TOKEN", raising=False)
    channels = channels_by_name()
    assert set(channels) == {"rest", "app", "miniprogram", "social", "workbench", "dashboard"}
    # Rasa's REST channel, wrapped: demo mode (loopback only) unless $SHOP_REST_TOKEN is set.
    assert isinstance(channels["rest"], RestInput) and channels["rest"].mode == "demo"
    assert channels["rest"].token is None
    assert isinstance(channels["app"], AppInput) and channels["app"].token == "t-app"
    assert isinstance(channels["miniprogram"], MiniProgramInput) and channels["miniprogram"].token == "t-mp"
    assert channels["miniprogram"].safe_mode is None
    assert isinstance(channels["social"], SocialInput)
    assert (channels["social"].app_secret, channels["social"].verify_token) == ("s-social", "v-social")
    assert {c.url_prefix() for c in channels.values()} == {"rest", "app", "miniprogram", "social", "workbench",
                                                           "dashboard"}


def test_safe_mode_is_on_when_its_key_is_set(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SHOP_MINIPROGRAM_AES_KEY", "a" * 43)
    monkeypatch.setenv("SHOP_MINIPROGRAM_APP_ID", "wx0123456789abcdef")
    assert channels_by_name()["miniprogram"].safe_mode.app_id == "wx0123456789abcdef"


@pytest.mark.anyio
async def test_without_the_environment_the_channels_load_and_refuse(monkeypatch):
    for name in (*ENV, "SHOP_MINIPROGRAM_AES_KEY", "SHOP_MINIPROGRAM_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    channels = channels_by_name()
    bot = RecordingBot()
    async with client(channels["app"], bot) as c:
        r = await c.post("/webhooks/app/webhook", json={"sender": "u", "message_id": "1", "text": "hi"},
                         headers={"Authorization": "Bearer "})
    assert r.status_code == 503 and bot.received == []
    assert channels["miniprogram"].token is None and channels["social"].app_secret is None
