"""Who a conversation's sender is: bindings proven by a one-time code, a platform, or the demo seed.

A sender id alone proves nothing on REST (the client chooses it) and a phone number
alone proves nothing anywhere (it is on every parcel label). A sender is bound to a
shopper only by:

- ``otp``: the shopper gave the phone on file and sent back the code texted to it
  (``verification.PhoneVerification``; an ``sms.SmsSender`` delivers it);
- ``platform``: the platform's own account system vouches for the id (APP user ids,
  mini-program openids, social ids arrive signed); bound by the shop's back office
  with ``bindings.bind(..., "platform")``;
- ``demo``: the one REST sender the demo seed binds (``make run``'s demo mode).

REST bindings made by a code lapse after ``REST_BINDING_HOURS``: a REST sender id is
a name the client picked, not an account.
"""
from shop.identity.bindings import (PLATFORM_CHANNELS, REST_BINDING_HOURS, TRUSTED_KINDS, bind, channel_of_sender,
                                    trusted_shopper_id)
from shop.identity.sms import OutboxSms, SmsSender, read_outbox, sms_sender_from_env
from shop.identity.verification import CodeCheck, CodeRequest, Limits, PhoneVerification, code_in

__all__ = ["PLATFORM_CHANNELS", "REST_BINDING_HOURS", "TRUSTED_KINDS", "bind", "channel_of_sender",
           "trusted_shopper_id", "OutboxSms", "SmsSender", "read_outbox", "sms_sender_from_env", "CodeCheck",
           "CodeRequest", "Limits", "PhoneVerification", "code_in"]
