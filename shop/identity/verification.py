"""Proving a sender is a shopper: a one-time code texted to the phone on file, with attempt limits.

1. ``request_code(channel, sender, phone)``: if a shopper has that phone, a 6-digit code
   goes to it (``SmsSender``). The answer is the same whether or not the phone is on file,
   so the chat cannot be used to find out whose number is whose; a code is stored for an
   unknown phone too (it can never match), so the limits and the work are the same.
2. ``check_code(channel, sender, text)``: the code sent back binds the sender to the
   shopper (``bindings.bind``, kind ``otp``).

Limits, counted over the last ``window`` from the stored codes, shared by every
action-server process through the store:

- a code lives ``code_ttl`` and takes ``attempts_per_code`` wrong guesses, then a new one is needed;
- a phone gets at most ``codes_per_phone`` codes and ``failures_per_phone`` wrong guesses;
- a sender may ask for at most ``codes_per_sender`` codes and guess wrong ``failures_per_sender`` times.

Past a limit the phone or the sender is locked until the window has passed. With the
defaults a guesser gets 15 tries per phone per hour at a one-in-a-million code.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from shop.identity.bindings import bind
from shop.identity.sms import SmsSender
from shop.orders.views import ShopperView, shopper_view
from shop.rules.formats import mask_phone, validate_phone
from shop.store import models as m
from shop.store.clock import china_now

CODE_DIGITS = 6
_CODE = re.compile(r"(?<![0-9])([0-9]{6})(?![0-9])")
_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)}


@dataclass(frozen=True)
class Limits:
    code_ttl: dt.timedelta = dt.timedelta(minutes=5)
    attempts_per_code: int = 5
    window: dt.timedelta = dt.timedelta(hours=1)
    codes_per_phone: int = 3
    failures_per_phone: int = 10
    codes_per_sender: int = 5
    failures_per_sender: int = 10


@dataclass(frozen=True)
class CodeRequest:
    status: str                   # sent | invalid_phone | locked
    masked_phone: str = ""
    reason: str = ""              # the Chinese sentence for invalid_phone
    retry_minutes: int = 0        # locked: when to try again


@dataclass(frozen=True)
class CodeCheck:
    status: str                   # verified | wrong | expired | no_code | locked
    shopper: Optional[ShopperView] = None
    attempts_left: int = 0
    retry_minutes: int = 0


def code_in(text: Optional[str]) -> Optional[str]:
    """The 6-digit code in a message ("验证码 123456", "１２３４５６"), or None."""
    match = _CODE.search((text or "").translate(_FULLWIDTH))
    return match.group(1) if match else None


def _digest(sender_id: str, phone: str, code: str) -> str:
    # Only a digest is kept, so a copy of the table does not hand out live codes.
    return hashlib.sha256(f"{sender_id}\0{phone}\0{code}".encode("utf-8")).hexdigest()


class PhoneVerification:
    def __init__(self, sessions: sessionmaker, sms: SmsSender, clock: Callable[[], dt.datetime] = china_now,
                 limits: Limits = Limits(), shop_name: str = "电商智能客服") -> None:
        self.sessions = sessions
        self.sms = sms
        self.clock = clock
        self.limits = limits
        self.shop_name = shop_name

    # -- asking for a code ---------------------------------------------------------------------
    def request_code(self, channel: str, sender_id: str, phone: str) -> CodeRequest:
        check = validate_phone(phone or "")
        if not check.allowed:
            return CodeRequest("invalid_phone", reason=check.reason)
        phone = check.details["value"]
        now = self.clock()
        with self.sessions() as s, s.begin():
            locked = self._locked(s, now, channel=channel, sender_id=sender_id, phone=phone, asking=True)
            if locked:
                return CodeRequest("locked", mask_phone(phone), retry_minutes=locked)
            s.execute(update(m.VerificationCode).where(
                m.VerificationCode.channel == channel, m.VerificationCode.sender_id == sender_id,
                m.VerificationCode.status == "pending").values(status="replaced"))
            shopper_id = s.scalar(select(m.Shopper.id).where(m.Shopper.phone == phone))
            code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
            s.add(m.VerificationCode(channel=channel, sender_id=sender_id, phone=phone, shopper_id=shopper_id,
                                     code_hash=_digest(sender_id, phone, code), attempts=0, status="pending",
                                     created_at=now, expires_at=now + self.limits.code_ttl))
            s.flush()
            if shopper_id is not None:
                # Sent inside the transaction: a failed send leaves no code that cannot arrive.
                minutes = int(self.limits.code_ttl.total_seconds() // 60)
                self.sms.send_code(phone, code, f"【{self.shop_name}】验证码 {code}，{minutes} 分钟内有效，"
                                                f"用于在客服对话中确认您的身份。请勿告诉任何人，客服不会向您索要。")
        return CodeRequest("sent", mask_phone(phone))

    def resend(self, channel: str, sender_id: str) -> CodeRequest:
        """A new code to the phone this sender last asked about (the limits apply)."""
        with self.sessions() as s:
            phone = s.scalar(select(m.VerificationCode.phone).where(
                m.VerificationCode.channel == channel, m.VerificationCode.sender_id == sender_id)
                .order_by(m.VerificationCode.id.desc()).limit(1))
        if phone is None:
            return CodeRequest("invalid_phone", reason="请先告诉我下单时使用的手机号。")
        return self.request_code(channel, sender_id, phone)

    # -- checking it ---------------------------------------------------------------------------
    def check_code(self, channel: str, sender_id: str, text: str) -> CodeCheck:
        code = code_in(text)
        now = self.clock()
        with self.sessions() as s, s.begin():
            locked = self._locked(s, now, channel=channel, sender_id=sender_id)
            if locked:
                return CodeCheck("locked", retry_minutes=locked)
            row = s.scalars(select(m.VerificationCode).where(
                m.VerificationCode.channel == channel, m.VerificationCode.sender_id == sender_id,
                m.VerificationCode.status == "pending").order_by(m.VerificationCode.id.desc()).limit(1)
                .with_for_update()).first()
            if row is None:
                return CodeCheck("no_code")
            if row.expires_at <= now:
                row.status = "failed"
                return CodeCheck("expired")
            locked = self._locked(s, now, phone=row.phone)
            if locked:
                return CodeCheck("locked", retry_minutes=locked)
            given = _digest(sender_id, row.phone, code or "")
            if code and row.shopper_id is not None and hmac.compare_digest(given, row.code_hash):
                row.status = "verified"
                bind(s, channel, sender_id, row.shopper_id, "otp", now)
                return CodeCheck("verified", shopper_view(s.get(m.Shopper, row.shopper_id)))
            row.attempts += 1
            left = self.limits.attempts_per_code - row.attempts
            if left <= 0:
                row.status = "failed"
            return CodeCheck("wrong", attempts_left=max(left, 0))

    # -- limits ----------------------------------------------------------------------------------
    def _locked(self, s, now: dt.datetime, *, channel: Optional[str] = None, sender_id: Optional[str] = None,
                phone: Optional[str] = None, asking: bool = False) -> int:
        """Minutes until the sender or phone may try again (0: not locked)."""
        since = now - self.limits.window
        waits = []
        checks = []
        if sender_id is not None:
            by_sender = (m.VerificationCode.channel == channel, m.VerificationCode.sender_id == sender_id)
            checks.append((by_sender, self.limits.codes_per_sender if asking else None,
                           self.limits.failures_per_sender))
        if phone is not None:
            checks.append(((m.VerificationCode.phone == phone,), self.limits.codes_per_phone if asking else None,
                           self.limits.failures_per_phone))
        for where, max_codes, max_failures in checks:
            recent = (*where, m.VerificationCode.created_at > since)
            codes, failures, first = s.execute(select(
                func.count(), func.coalesce(func.sum(m.VerificationCode.attempts), 0),
                func.min(m.VerificationCode.created_at)).where(*recent)).one()
            if (max_codes is not None and codes >= max_codes) or failures >= max_failures:
                waits.append(first + self.limits.window - now)
        if not waits:
            return 0
        return max(1, int(max(waits).total_seconds() // 60) + 1)
