"""`show_changes`: which connections two sets of policies answer differently, ready to display.

The comparison is `npkit.diff.compare` (the one exercises grade with); this module only shows
it, short: changes that happen for the same reason are one group ("180 connections newly
denied: the source's egress is isolated by default/default-deny-egress"), counted by source
and destination namespace, with the full list folded away.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..diff import Change, Comparison, compare
from ..diff.render import probes_line
from ..engine import Engine, SideVerdict
from ..i18n import messages
from ..model import Cluster
from .show import as_engine
from .wording import clauses, labelled, listing, tidy

_ = messages("npkit-ui").gettext
ngettext = messages("npkit-ui").ngettext
Probe = tuple[int | None, str]


def _ns(end: str) -> str:
    return end.split("/", 1)[0] if "/" in end else end


def _why(side: SideVerdict) -> str:
    """The side's decision with the pod unnamed, so the changes it explains group under one reason."""
    # Translators: stands for the pod a decision names, e.g. "denied: the pod is isolated for egress by …"
    decision = tidy(side.decision.text.replace(side.endpoint, _("the pod")))
    if side.direction == "Egress":
        return _("the source's egress: {decision}").format(decision=decision)
    return _("the destination's ingress: {decision}").format(decision=decision)


@dataclass(frozen=True)
class ChangeGroup:
    """Changes in one direction (allowed now / denied now) that the same reason explains."""

    allowed_now: bool
    reason: str  # the deciding side after the change
    before: str  # the same side before
    changes: tuple[Change, ...]

    @property
    def heading(self) -> str:
        n = len(self.changes)
        if self.allowed_now:
            return ngettext("{n} connection allowed now", "{n} connections allowed now", n).format(n=n)
        return ngettext("{n} connection denied now", "{n} connections denied now", n).format(n=n)

    def by_namespace(self) -> list[tuple[str, str, int]]:
        """(source namespace, destination namespace, count), most changes first."""
        counts = Counter((_ns(c.src), _ns(c.dst)) for c in self.changes)
        return [(s, d, n) for (s, d), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def group_changes(comparison: Comparison) -> list[ChangeGroup]:
    """The comparison's changes, grouped by direction and by the reason the engine gives after the change."""
    groups: dict[tuple[bool, str, str], list[Change]] = {}
    for change in comparison.changes:
        before, after = comparison.verdicts(change)
        # The side that decides now: the one that denies (for a new denial), else the one that changed.
        sides = [("egress", after.egress, before.egress), ("ingress", after.ingress, before.ingress)]
        if not change.after:
            _side, now, then = next(s for s in sides if not s[1].allowed)
        else:
            _side, now, then = next((s for s in sides if not s[2].allowed), sides[1])
        groups.setdefault((change.after, _why(now), _why(then)), []).append(change)
    return [ChangeGroup(allowed, reason, was, tuple(changes))
            for (allowed, reason, was), changes in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1])))]


class ChangesView:
    """A comparison that displays itself; `allowed_now` / `denied_now` list the changed connections.

    >>> from npkit.model import Cluster, Pod
    >>> c = Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2")))
    >>> ChangesView(compare(Engine(c), Engine(c), [(80, "TCP")])).equivalent
    True
    """

    def __init__(self, comparison: Comparison, examples: int = 3):
        self.comparison = comparison
        self.examples = examples

    @property
    def equivalent(self) -> bool:
        return self.comparison.equivalent

    @property
    def allowed_now(self) -> tuple[str, ...]:
        """Connections denied before and allowed after, as labels like `x/a → x/b TCP/80`."""
        return tuple(c.label for c in self.comparison.newly_allowed)

    @property
    def denied_now(self) -> tuple[str, ...]:
        """Connections allowed before and denied after."""
        return tuple(c.label for c in self.comparison.newly_denied)

    @property
    def groups(self) -> list[ChangeGroup]:
        return group_changes(self.comparison)

    def __repr__(self) -> str:
        c = self.comparison
        lines = [c.summary(), _("compared {probes}").format(probes=probes_line(c))]
        for g in self.groups:
            lines += ["", labelled(g.heading, g.reason), "  " + _("before: {reason}").format(reason=g.before)]
            lines += [f"  {labelled(f'{s} → {d}', str(n))}" for s, d, n in g.by_namespace()]
            shown = [ch.label for ch in g.changes[: self.examples]]
            more = len(g.changes) - len(shown)
            examples = clauses(shown)
            lines.append("  " + (_("e.g. {examples}; … and {n} more").format(examples=examples, n=more) if more > 0
                                 else _("e.g. {examples}").format(examples=examples)))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        c = self.comparison
        head = f"<p><b>{escape(c.summary())}</b> ({escape(probes_line(c))})</p>"
        blocks = []
        for g in self.groups:
            colour = "var(--jp-success-color0,#1a7f37)" if g.allowed_now else "var(--jp-error-color0,#b00020)"
            counts = listing(escape(labelled(f"{s} → {d}", str(n))) for s, d, n in g.by_namespace())
            items = "".join(f"<li><code>{escape(ch.label)}</code></li>" for ch in g.changes)
            n = len(g.changes)
            heading = labelled(f'<b style="color:{colour}">{escape(g.heading)}</b>', escape(g.reason))
            before = escape(_("before: {reason}").format(reason=g.before))
            connections = escape(ngettext("the {n} connection", "the {n} connections", n).format(n=n))
            by_namespace = _("by namespace: {counts}").format(counts=counts)
            blocks.append(
                f'<div class="npkit-change-group" style="margin:6px 0"><div>{heading}</div>'
                f'<div style="color:var(--jp-ui-font-color2,#57606a)">{before}</div>'
                f"<div>{by_namespace}</div><details><summary>{connections}</summary><ul>{items}</ul></details></div>")
        return head + "".join(blocks)


def show_changes(before: Cluster | Engine, after: Cluster | Engine, probes: Sequence[Probe] = ((80, "TCP"),),
                 dataplane: str = "calico") -> ChangesView:
    """What changes from `before` to `after` (clusters or engines) on each (port, protocol).

    >>> from npkit.model import Cluster, Pod
    >>> c = Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),))
    >>> print(show_changes(c, c))
    equivalent: all 1 connections get the same answer
    compared over 1 pod on port 80 (TCP)
    """
    return ChangesView(compare(as_engine(before, dataplane), as_engine(after, dataplane), probes))
