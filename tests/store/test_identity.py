"""One-time codes and bindings (shop.identity) on the seeded store: proof, limits, lapses."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from shop.identity import Limits, OutboxSms, PhoneVerification, bind, channel_of_sender, code_in, read_outbox
from shop.identity.sms import latest_code, sms_sender_from_env
from shop.orders import OrderService
from shop.store import models as m


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 11, 30, 12, 0)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def outbox(tmp_path):
    return tmp_path / "sms.jsonl"


@pytest.fixture
def verify(sessions, clock, outbox):
    return PhoneVerification(sessions, OutboxSms(outbox), clock=clock)


def phone_of(sessions, shopper_id):
    with sessions() as s:
        return s.get(m.Shopper, shopper_id).phone


def test_the_code_texted_to_the_phone_on_file_binds_the_sender(verify, sessions, outbox, clock):
    phone = phone_of(sessions, 5)
    sent = verify.request_code("app", "app:u-77", phone)
    assert sent.status == "sent" and sent.masked_phone == phone[:3] + "****" + phone[-4:]
    code = latest_code(phone, outbox)
    assert code and len(code) == 6 and code in read_outbox(outbox)[-1]["text"]
    assert verify.check_code("app", "app:u-77", f"验证码{code}").shopper.id == 5
    svc = OrderService(sessions)
    assert svc.shopper_for_sender("app", "app:u-77", now=clock.now).id == 5
    # A platform id stays bound; the code cannot be used twice.
    assert svc.shopper_for_sender("app", "app:u-77", now=clock.now + dt.timedelta(days=30)).id == 5
    assert verify.check_code("app", "app:u-77", code).status == "no_code"


def test_a_rest_binding_lapses(verify, sessions, outbox, clock):
    phone = phone_of(sessions, 6)
    verify.request_code("rest", "web-1", phone)
    assert verify.check_code("rest", "web-1", latest_code(phone, outbox)).status == "verified"
    svc = OrderService(sessions)
    assert svc.shopper_for_sender("rest", "web-1", now=clock.now + dt.timedelta(hours=11)).id == 6
    assert svc.shopper_for_sender("rest", "web-1", now=clock.now + dt.timedelta(hours=13)) is None


def test_nothing_is_sent_to_a_number_no_shopper_has_and_no_code_matches(verify, outbox):
    assert verify.request_code("rest", "web-2", "13000000000").status == "sent"
    assert read_outbox(outbox) == []
    assert verify.check_code("rest", "web-2", "000000").status == "wrong"


def test_codes_expire(verify, sessions, outbox, clock):
    phone = phone_of(sessions, 7)
    verify.request_code("rest", "web-3", phone)
    clock.now += dt.timedelta(minutes=6)
    assert verify.check_code("rest", "web-3", latest_code(phone, outbox)).status == "expired"


def test_a_code_takes_five_wrong_guesses(verify, sessions, outbox):
    phone = phone_of(sessions, 8)
    verify.request_code("rest", "web-4", phone)
    code = latest_code(phone, outbox)
    wrong = "000000" if code != "000000" else "111111"
    assert [verify.check_code("rest", "web-4", wrong).attempts_left for _ in range(5)] == [4, 3, 2, 1, 0]
    assert verify.check_code("rest", "web-4", code).status == "no_code"  # spent


def test_a_phone_gets_three_codes_an_hour_whoever_asks(verify, sessions, outbox, clock):
    phone = phone_of(sessions, 9)
    assert [verify.request_code("rest", f"web-{i}", phone).status for i in range(4)] == \
        ["sent", "sent", "sent", "locked"]
    assert len(read_outbox(outbox)) == 3
    clock.now += dt.timedelta(hours=1, minutes=1)
    assert verify.request_code("rest", "web-9", phone).status == "sent"


def test_a_sender_is_locked_after_ten_wrong_guesses_across_codes(verify, sessions, outbox, clock):
    phones = [phone_of(sessions, i) for i in (10, 11, 12)]
    for phone in phones[:2]:
        verify.request_code("rest", "web-5", phone)
        for _ in range(5):
            verify.check_code("rest", "web-5", "999999" if latest_code(phone, outbox) != "999999" else "888888")
    locked = verify.request_code("rest", "web-5", phones[2])
    assert locked.status == "locked" and 1 <= locked.retry_minutes <= 61
    assert verify.check_code("rest", "web-5", "123456").status == "locked"


def test_malformed_phone_numbers_are_refused_without_a_code(verify, outbox):
    for bad in ("12345", "", "23800000000"):
        assert verify.request_code("rest", "web-6", bad).status == "invalid_phone"
    assert read_outbox(outbox) == []


def test_only_digits_six_long_are_codes():
    assert code_in("验证码 123456") == "123456" and code_in("１２３４５６") == "123456"
    assert code_in("12345") is None and code_in("1234567") is None and code_in(None) is None


def test_channel_comes_from_the_sender_id_not_from_the_message():
    assert [channel_of_sender(s) for s in ("app:u1", "miniprogram:o1", "social:9", "demo", "evil:1", "app:")] == \
        ["app", "miniprogram", "social", "rest", "rest", "rest"]


def test_a_platform_may_vouch_only_for_its_own_ids(sessions, clock):
    with sessions() as s, s.begin():
        bind(s, "miniprogram", "miniprogram:oX", 4, "platform", clock.now)
        with pytest.raises(ValueError):
            bind(s, "rest", "someone", 4, "platform", clock.now)
        with pytest.raises(ValueError):
            bind(s, "rest", "someone", 4, "legacy", clock.now)
    assert OrderService(sessions).shopper_for_sender("miniprogram", "miniprogram:oX", now=clock.now).id == 4


def test_outbox_is_private_and_the_sender_is_configurable(tmp_path, monkeypatch):
    path = tmp_path / "var" / "outbox.jsonl"
    OutboxSms(path).send_code("13800000000", "123456", "验证码 123456")
    assert path.stat().st_mode & 0o777 == 0o600
    assert isinstance(sms_sender_from_env({"SHOP_SMS_OUTBOX": str(path)}), OutboxSms)
    with pytest.raises(ValueError):
        sms_sender_from_env({"SHOP_SMS_SENDER": "nonsense"})


def test_codes_are_stored_only_as_digests(verify, sessions, outbox):
    phone = phone_of(sessions, 13)
    verify.request_code("rest", "web-7", phone)
    code = latest_code(phone, outbox)
    with sessions() as s:
        stored = s.scalar(select(m.VerificationCode.code_hash).where(m.VerificationCode.sender_id == "web-7"))
    assert code not in stored and len(stored) == 64
