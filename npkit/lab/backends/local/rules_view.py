"""`rules(pod)`: the part of the node's nftables ruleset that concerns one pod, for a learner to read."""

from __future__ import annotations

import re

from ....i18n import N_, messages
from .netns import PodPlace

_ = messages("npkit-tools").gettext

# Shown above the rules (N_: translated where shown); the quoted comments are the ruleset's own, in English.
HEADER = N_("""\
# How to read this (the nftables version of `iptables -L -n | grep cali` on a Calico node):
# * Packets the pod sends run chain fw-<iface> (its egress policy); packets sent to it run
#   tw-<iface> (its ingress policy). Replies of accepted connections skip both
#   ("ct state established,related accept" in chain forward).
# * Tiers come in order. "Start of tier" clears the pass mark; each policy is a jump to its
#   pi- (ingress) or po- (egress) chain, taken only while the pass mark is clear.
# * In a policy chain, Allow sets the accept mark (0x10000) and returns: the pod chain then
#   returns ("Return if policy accepted"). Pass sets the pass mark (0x20000): the rest of the
#   tier is skipped. Deny drops at once. Log counts the packet and logs it, then goes on.
# * "End of tier ... Drop if no policies passed packet": a packet the tier's policies neither
#   allowed nor passed is dropped here. Tiers whose default action is Pass have no such rule.
# * The last rule (the profile) accepts what no tier decided: pods no policy selects.
# * @name is a set of addresses (or address . protocol . port); its elements are listed below.
# * "counter packets N" shows how many packets each rule matched so far.
""")


def _blocks(text: str) -> dict[str, str]:
    """Top-level `set`, `map` and `chain` blocks of `nft list table` output, by name."""
    out: dict[str, str] = {}
    name, lines = None, []
    for line in text.splitlines():
        m = re.match(r"^\t(set|map|chain) (\S+) \{$", line)
        if m:
            name, lines = m.group(2), [line]
            continue
        if name is not None:
            lines.append(line)
            if line == "\t}":
                out[name] = "\n".join(lines)
                name = None
    return out


def pod_rules(table_text: str, pod: str, place: PodPlace) -> str:
    """The part of the node's ruleset that concerns `pod`, in reading order.

    >>> text = "table ip npkit {\\n\\tset s {\\n\\t}\\n\\tchain pi-x {\\n\\t\\tip saddr @s return\\n\\t}\\n" \\
    ...        "\\tchain tw-npk1 {\\n\\t\\tjump pi-x\\n\\t}\\n}"
    >>> print(pod_rules(text, "x/a", PodPlace("x/a", "npk-l.x.a", "npk1", "10.0.0.1")).splitlines()[3])
    # ingress: packets to x/a
    """
    blocks = _blocks(table_text)
    shown: list[str] = []
    parts = [_("# {pod} has address {ip} in network namespace {netns};\n"
               "# its veth ends in the node namespace as {iface}.").format(pod=pod, ip=place.ip, netns=place.netns,
                                                                         iface=place.iface), ""]
    sets: list[str] = []

    def add_chain(name: str) -> None:
        if name in shown or name not in blocks:
            return
        shown.append(name)
        body = blocks[name]
        parts.append(body)
        for ref in re.findall(r"@(\S+)", body):
            if ref not in sets and ref in blocks:
                sets.append(ref)
        for target in re.findall(r"jump (\S+)", body):
            add_chain(target)

    if place.host_network:
        parts.append(_("# this pod uses the host network: no policy applies to it, so it has no chains"))
    for title, chain in ((_("# egress: packets from {pod}").format(pod=pod), f"fw-{place.iface}"),
                         (_("# ingress: packets to {pod}").format(pod=pod), f"tw-{place.iface}")):
        if chain in blocks:
            parts.append(title)
            add_chain(chain)
            parts.append("")
    if sets:
        parts.append(_("# sets used above (addresses, or address . protocol . port)"))
        parts += [blocks[s] for s in sets]
    return "\n".join(parts).rstrip() + "\n"
