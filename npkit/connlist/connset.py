"""A set of allowed traffic classes, written the way np-guard's netpol-analyzer writes connections.

`All Connections` when every class is allowed; otherwise one entry per protocol, sorted as text
and joined by commas: `TCP 80,8000-8100,UDP 53` (ports merged into the longest ranges). Protocols
netpol-analyzer does not model are written in the same spirit: `ICMP` (every type), `ICMP type 8`
or `ICMP type 3 code 1`, `protocol 47`, and `other protocols` for every protocol no rule names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import groupby

from ..model.spans import merge_spans, span_text
from .classes import OTHER, TrafficClass

ALL_CONNECTIONS = "All Connections"
NO_CONNECTIONS = "No Connections"


def _icmp_parts(allowed: list[TrafficClass]) -> list[str]:
    """`type 0-7`, `type 3 code 1`: whole types merged into ranges, then single codes."""
    whole = [(c.first, c.last) for c in allowed if c.codes is None and c.first is not None and c.last is not None]
    parts = [f"type {span_text(a, b)}" for a, b in merge_spans(whole)]
    by_type = groupby((c for c in allowed if c.codes is not None), key=lambda c: c.first)
    for icmp_type, classes in by_type:
        codes = merge_spans(c.codes for c in classes if c.codes is not None)
        parts += [f"type {icmp_type} code {span_text(a, b)}" for a, b in codes]
    return parts


def _entry(protocol: str, allowed: list[TrafficClass], total: int) -> str:
    if protocol == OTHER:
        return "other protocols"
    if allowed[0].ported:
        spans = [(c.first, c.last) for c in allowed if c.first is not None and c.last is not None]
        return f"{protocol} " + ",".join(span_text(a, b) for a, b in merge_spans(spans))
    name = protocol if not protocol.isdigit() else f"protocol {protocol}"
    if len(allowed) == total or allowed[0].first is None:
        return name
    return f"{name} " + ",".join(_icmp_parts(allowed))


def describe(classes: Sequence[TrafficClass], allowed: Iterable[int]) -> str:
    """The text of the connection set made of `classes[i]` for each i in `allowed`.

    >>> from npkit.engine import Traffic
    >>> cs = [TrafficClass("TCP", 1, 79, Traffic("TCP", 1)), TrafficClass("TCP", 80, 80, Traffic("TCP", 80)),
    ...       TrafficClass("UDP", 1, 65535, Traffic("UDP", 1)), TrafficClass("other", None, None, Traffic("47"))]
    >>> describe(cs, [1, 2]), describe(cs, range(4)), describe(cs, []), describe(cs, [0, 1, 3])
    ('TCP 80,UDP 1-65535', 'All Connections', 'No Connections', 'TCP 1-80,other protocols')
    """
    chosen = sorted(set(allowed))
    if not chosen:
        return NO_CONNECTIONS
    if len(chosen) == len(classes):
        return ALL_CONNECTIONS
    totals: dict[str, int] = {}
    for c in classes:
        totals[c.protocol] = totals.get(c.protocol, 0) + 1
    picked = [classes[i] for i in chosen]
    entries = [_entry(protocol, list(group), totals[protocol])
               for protocol, group in groupby(picked, key=lambda c: c.protocol)]
    return ",".join(sorted(entries))
