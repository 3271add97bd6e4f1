"""Reading a connection text back (`TCP 80,8000-8100,UDP 53`), independently of how connlist writes it."""

from __future__ import annotations

PORTED = ("TCP", "UDP", "SCTP")


def _span(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    return int(first), int(last or first)


def parse(text: str) -> dict[str, list[str]]:
    """Entries by protocol: {"TCP": ["80", "8000-8100"], "ICMP": ["type 8"], "other": [], "47": []}."""
    out: dict[str, list[str]] = {}
    current = None
    for token in text.split(","):
        head, _, rest = token.partition(" ")
        if head in PORTED or head in ("ICMP", "ICMPv6"):
            current = head
            out[current] = [rest] if rest else []
        elif token == "other protocols":
            current = "other"
            out[current] = []
        elif head == "protocol":
            current = rest
            out[current] = []
        else:
            assert current is not None, text
            out[current].append(token)
    return out


def allows(text: str, protocol: str, port: int | None, icmp_type: int | None, cl) -> bool:
    """Whether the connection text `text` includes this traffic (ICMP with code 0)."""
    if text == "All Connections":
        return True
    if text == "No Connections":
        return False
    entries = parse(text)
    named = {c.protocol for c in cl.classes}
    if protocol not in named:
        return "other" in entries
    if protocol not in entries:
        return False
    parts = entries[protocol]
    if protocol in PORTED:
        return any(a <= port <= b for a, b in map(_span, parts))
    if protocol in ("ICMP", "ICMPv6"):
        if not parts:
            return True
        for part in parts:
            words = part.split()
            a, b = _span(words[1])
            if a <= icmp_type <= b and (len(words) == 2 or _span(words[3])[0] <= 0 <= _span(words[3])[1]):
                return True
        return False
    return True
