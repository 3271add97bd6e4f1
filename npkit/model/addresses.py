"""How an IPv4 address is written: the one spelling that loading and the engine both read quickly."""

from __future__ import annotations

import re

_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"  # 0 to 255, without leading zeros
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}\Z")


def ipv4_value(text: str) -> int | None:
    """The number of an IPv4 address written as four decimal numbers, None for anything else.

    As strict as `ipaddress` (no leading zeros, no spaces) and several times faster than it: a
    cluster's pods each have an address, read when loading and again by the engine.

    >>> ipv4_value("10.0.0.1"), ipv4_value("010.0.0.1"), ipv4_value("::1"), ipv4_value("10.0.0.1 ")
    (167772161, None, None, None)
    """
    found = _IPV4.match(text)
    if found is None:
        return None
    a, b, c, d = found.groups()
    return int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)
