"""The WeChat message-push format: signatures, XML and JSON bodies, safe-mode envelopes, passive replies.

Untrusted XML is read only by defusedxml (no DTDs, no entities). wechatpy then
builds its message objects from XML rendered here from the parsed fields, so
both body formats go through its one parser (``parse_message`` reads only XML).
"""
from __future__ import annotations

import json
import time
from typing import Any, Optional
from xml.parsers.expat import ExpatError

import defusedxml.ElementTree as SafeET
import xmltodict
from defusedxml import DefusedXmlException
from wechatpy import parse_message
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.messages import BaseMessage
from wechatpy.replies import create_reply
from wechatpy.utils import WeChatSigner

from channels.common import Refused, clean_value, json_of
from shop.inputs import same_secret

XML, JSON = "xml", "json"
MAX_REPLY_BYTES = 2048  # WeChat drops a passive text reply longer than this
NO_REPLY = "success"  # WeChat's word for "received, nothing to say" (no retry follows)


def signature(*parts: str) -> str:
    """SHA1 over the sorted parts, as WeChat signs its pushes."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def check_signature(token: str, given: Optional[str], *parts: str) -> None:
    """Refuses unless ``given`` signs ``token`` with ``parts``.

    wechatpy's own ``check_signature`` compares with ``!=``, which tells a prober
    through timing how much of a guess was right; this compares in constant time.
    """
    if not given or not all(parts):
        raise Refused.unauthenticated("signature, timestamp and nonce are required")
    if not same_secret(given, signature(token, *parts)):
        raise Refused.forbidden("signature mismatch")


# A push is a flat list of fields (safe mode: one Encrypt field); a few event pushes nest
# one level (ScanCodeInfo, SendPicsInfo/PicList/item). Anything deeper is not WeChat's.
MAX_XML_DEPTH = 5
MAX_FIELDS = 64


def fields_of(text: str) -> tuple[str, dict]:
    """The body's format and its fields; XML and JSON pushes carry the same field names."""
    start = text.lstrip()[:1]
    if start == "<":
        return XML, _xml_fields(text)
    if start == "{":
        fields = json_of(text.encode("utf-8"), max_depth=MAX_XML_DEPTH)
        if not isinstance(fields, dict):
            raise Refused.malformed("a JSON body must be an object")
        # JSON can carry what XML cannot (NUL, lone surrogates); both formats go through
        # XML below, so such characters are replaced here and the message is kept.
        return JSON, clean_value(fields)
    raise Refused.malformed("body is neither XML nor JSON")


def _xml_fields(text: str) -> dict:
    try:
        root = SafeET.fromstring(text, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException) as e:
        raise Refused.malformed(f"body is not acceptable XML: {e}") from None
    if root.tag != "xml":
        raise Refused.malformed("the root element must be <xml>")
    # Checked without recursion: expat parses any depth, and the walk below must not recurse into it.
    stack, count = [(root, 1)], 0
    while stack:
        element, depth = stack.pop()
        count += 1
        if depth > MAX_XML_DEPTH or count > MAX_FIELDS * MAX_XML_DEPTH:
            raise Refused.malformed(f"XML nested deeper than {MAX_XML_DEPTH} levels or with too many elements")
        stack.extend((child, depth + 1) for child in element)
    return _element_fields(root)


def _element_fields(element: Any) -> dict:
    return {child.tag: _element_fields(child) if len(child) else (child.text or "") for child in element}


def message_of(fields: dict) -> BaseMessage:
    if not isinstance(fields.get("MsgType"), str) or not fields["MsgType"]:
        raise Refused.malformed("MsgType is required")
    for name in ("FromUserName", "ToUserName"):
        if not isinstance(fields.get(name), str) or not fields[name]:
            raise Refused.malformed(f"{name} is required")
    if len(fields) > MAX_FIELDS:
        raise Refused.malformed(f"at most {MAX_FIELDS} fields")
    try:
        return parse_message(xmltodict.unparse({"xml": fields}))
    except (ExpatError, ValueError, TypeError, KeyError) as e:  # e.g. JSON keys that are no XML names
        raise Refused.malformed(f"unreadable message: {e}") from None


class SafeMode:
    """WeChat's safe mode: AES-encrypted bodies inside a signed envelope (wechatpy's WeChatCrypto)."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        try:
            self.crypto = WeChatCrypto(token, encoding_aes_key, app_id)
        except (AssertionError, ValueError) as e:
            raise ValueError("the EncodingAESKey must be the 43 characters WeChat shows") from e
        self.token = token
        self.app_id = app_id

    def open(self, envelope: dict, msg_signature: Optional[str], timestamp: str, nonce: str) -> str:
        encrypted = envelope.get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise Refused.malformed("safe mode body without Encrypt")
        if not msg_signature:
            raise Refused.unauthenticated("msg_signature is required in safe mode")
        # Checked here in constant time first; wechatpy's own check then passes.
        check_signature(self.token, msg_signature, timestamp, nonce, encrypted)
        try:
            return self.crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce)
        except Exception as e:  # bad base64, padding or app id: the body, not the server, is wrong
            raise Refused.malformed(f"cannot decrypt: {type(e).__name__}") from None

    def seal(self, reply: str, fmt: str, nonce: str) -> str:
        timestamp = str(int(time.time()))
        if fmt == XML:
            return self.crypto.encrypt_message(reply, nonce, timestamp)
        encrypted = PrpCrypto(self.crypto.key).encrypt(reply, self.app_id).decode()
        return json.dumps({"Encrypt": encrypted, "MsgSignature": signature(self.token, timestamp, nonce, encrypted),
                           "TimeStamp": int(timestamp), "Nonce": nonce})


def passive_reply(text: str, message: BaseMessage, fmt: str) -> str:
    """A text reply to ``message`` in the push's own format, or WeChat's "nothing to say"."""
    text = _fit(text, MAX_REPLY_BYTES)
    if not text:
        return NO_REPLY
    if fmt == XML:
        # wechatpy wraps the content in CDATA as it is: a "]]>" in it (a shopper's
        # words quoted back) would end the section and let the rest be read as XML.
        return create_reply(text.replace("]]>", "]]]]><![CDATA[>"), message=message).render()
    return json.dumps({"ToUserName": message.source, "FromUserName": message.target,
                       "CreateTime": int(time.time()), "MsgType": "text", "Content": text}, ensure_ascii=False)


def _fit(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit - len("…".encode())].decode("utf-8", errors="ignore") + "…"
