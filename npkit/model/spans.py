"""Spans of numbers (ports, ICMP types and codes): merged, and written the way policies write them."""

from __future__ import annotations

from collections.abc import Iterable


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Touching or overlapping spans (first, last) merged, ascending.

    >>> merge_spans([(81, 90), (1, 79), (80, 80), (95, 95)])
    [(1, 90), (95, 95)]
    """
    out: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


def span_text(first: int, last: int) -> str:
    """`80` for one number, `8000-8080` for a span (as nft, netpol-analyzer and Calico write them)."""
    return str(first) if first == last else f"{first}-{last}"
