"""The internal message, the duplicate store, secrets and the text form of bot messages."""
import pytest
from rasa.core.channels.channel import CollectingOutputChannel

from channels.common import InboundMessage, Refused, image, plain_text, secret, voice
from channels.duplicates import MemoryDuplicateStore

pytestmark = pytest.mark.anyio


def test_internal_message_becomes_a_rasa_user_message_with_the_metadata_the_dialogue_reads():
    m = InboundMessage(channel="miniprogram", sender_id="oShopper1", message_id="6912", text=" 有M码吗 ",
                       timestamp=1732500000, attachments=(image(url="https://cdn.example.com/a.jpg", media_id="m1"),),
                       extra={"product_id": "P003"})
    output = CollectingOutputChannel()
    um = m.user_message(output)
    assert (um.text, um.sender_id, um.input_channel, um.message_id) == ("有M码吗", "miniprogram:oShopper1",
                                                                         "miniprogram", "6912")
    assert um.output_channel is output
    assert um.metadata == {"channel": "miniprogram", "message_id": "6912", "timestamp": 1732500000,
                           "attachments": [{"type": "image", "url": "https://cdn.example.com/a.jpg",
                                            "media_id": "m1"}],
                           "product_id": "P003"}


def test_the_same_platform_id_on_two_channels_is_two_conversations():
    app = InboundMessage(channel="app", sender_id="42", message_id="1", text="hi")
    social = InboundMessage(channel="social", sender_id="42", message_id="1", text="hi")
    assert app.conversation_id != social.conversation_id


def test_attachment_helpers_leave_out_what_is_missing():
    assert image(url="https://x/y.jpg") == {"type": "image", "url": "https://x/y.jpg"}
    assert voice(media_id="v1", format="amr") == {"type": "voice", "media_id": "v1", "format": "amr"}


@pytest.mark.parametrize("fields", [
    {"sender_id": ""}, {"sender_id": None}, {"sender_id": 7}, {"sender_id": "x" * 129},
    {"message_id": ""}, {"message_id": None},
    {"text": None}, {"text": "x" * 4001}, {"text": "  "},
    {"attachments": ({"type": "video", "url": "https://x"},)},
    {"attachments": ({"type": "image"},)},
    {"attachments": tuple(image(url=f"https://x/{i}") for i in range(11))},
])
def test_internal_message_refuses_what_no_platform_sends(fields):
    base = {"channel": "app", "sender_id": "u1", "message_id": "m1", "text": "你好"}
    with pytest.raises(Refused) as e:
        InboundMessage(**{**base, **fields})
    assert e.value.status == 400


async def test_duplicate_store_claims_each_key_once_until_it_expires():
    now = [1000.0]
    store = MemoryDuplicateStore(ttl_seconds=60, clock=lambda: now[0])
    assert await store.claim("app:m1")
    assert not await store.claim("app:m1")
    assert await store.claim("app:m2")
    now[0] += 61
    assert await store.claim("app:m1")
    assert len(store) == 1  # m2 expired and was dropped; m1 claimed again


async def test_duplicate_store_is_bounded():
    store = MemoryDuplicateStore(max_entries=3)
    for i in range(5):
        assert await store.claim(f"k{i}")
    assert len(store) == 3
    assert not await store.claim("k4")
    assert await store.claim("k0")  # the oldest were forgotten first


def test_secret_comes_from_the_named_environment_variable_before_the_literal(monkeypatch):
    monkeypatch.setenv("SHOP_TEST_SECRET", "from-env")
    assert secret({"token_env": "SHOP_TEST_SECRET", "token": "literal"}, "token") == "from-env"
    monkeypatch.delenv("SHOP_TEST_SECRET")
    assert secret({"token_env": "SHOP_TEST_SECRET", "token": "literal"}, "token") == "literal"
    assert secret({"token_env": "SHOP_TEST_SECRET"}, "token") is None
    assert secret({}, "token") is None


def test_plain_text_of_bot_messages():
    assert plain_text({"text": "选一个尺码", "buttons": [{"title": "M", "payload": "/m"}, {"title": "L"}]}) \
        == "选一个尺码\n1. M\n2. L"
    assert plain_text({"image": "https://cdn.example.com/a.png"}) == "https://cdn.example.com/a.png"
    assert plain_text({"custom": {"type": "card"}}) == ""
