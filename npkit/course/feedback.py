"""What the exercise checker tells a learner: the cause first, then the differences, grouped.

A `Grade` is built by `npkit.course.exercises` (which compares verdicts) and only rendered
here. On a wrong answer its first line names the cause in the learner's terms, taken from the
engine's explanation of one differing connection (the rule that allows what it should not,
or the policy that isolates and lets nothing through); then the differences grouped by source
and destination namespace, with counts per probe, so 127 differences read as three lines.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape

from ..engine import Verdict
from ..engine.verdict import SideVerdict
from ..model import Diagnostic

OUTSIDE = "(outside the cluster)"


@dataclass(frozen=True)
class Difference:
    """One connection where the learner's answer disagrees with the reference."""

    label: str
    src: str
    dst: str
    port: int | None
    protocol: str
    expected: bool
    yours: bool
    why: str  # the learner's verdict, in words

    def text(self) -> str:
        return (f"{self.label}: should be {'allowed' if self.expected else 'denied'}; "
                f"your policies {'allow' if self.yours else 'deny'} it")

    @property
    def probe(self) -> str:
        """"TCP/80", or the protocol alone for every port."""
        return f"{self.protocol}/{self.port}" if self.port is not None else self.protocol


def namespace_of(end: str) -> str:
    """`ns/pod` → ns; an address outside the cluster → OUTSIDE."""
    return end.split("/", 1)[0] if "/" in end else OUTSIDE


@dataclass(frozen=True)
class Group:
    """Differences with the same source namespace, destination namespace and direction of error."""

    src_ns: str
    dst_ns: str
    expected: bool
    items: tuple[Difference, ...]

    def text(self) -> str:
        n = len(self.items)
        them = "them" if n != 1 else "it"
        if self.items[0].protocol == "":  # pods of a selector exercise
            what = ("should be selected; your selector misses" if self.expected else
                    "should not be selected; your selector selects")
            return f"{self.src_ns}: {n} pod{'s' if n != 1 else ''} {what} {them}"
        what = ("should be allowed; your policies deny" if self.expected else
                "should be denied; your policies allow")
        probes = Counter(d.probe for d in self.items)
        by_probe = ", ".join(f"{p} ×{c}" if c > 1 else p for p, c in probes.items())
        return f"{self.src_ns} → {self.dst_ns}: {n} connection{'s' if n != 1 else ''} {what} {them} ({by_probe})"


def group(differences: tuple[Difference, ...]) -> tuple[Group, ...]:
    """Differences grouped by (source namespace, destination namespace, expected), biggest first."""
    buckets: dict[tuple[str, str, bool], list[Difference]] = {}
    for d in differences:
        buckets.setdefault((namespace_of(d.src), namespace_of(d.dst), d.expected), []).append(d)
    groups = [Group(s, t, e, tuple(items)) for (s, t, e), items in buckets.items()]
    return tuple(sorted(groups, key=lambda g: -len(g.items)))


def cause(d: Difference, mine: Verdict, reference: Verdict) -> str:
    """The first line of feedback: one differing connection and what in the learner's policies decides it.

    For a connection that should be allowed, the side of the learner's policies that denies it;
    for one that should be denied, the side the reference denies and what allows it there.
    """
    sides = (mine.egress, mine.ingress)
    if d.expected:
        side = next(s for s in sides if not s.allowed)
        return f"{d.label} should be allowed, but {_decided(side)}"
    ref_sides = (reference.egress, reference.ingress)
    side = sides[next((i for i, s in enumerate(ref_sides) if not s.allowed), 1)]
    return f"{d.label} should be denied, but {_decided(side)}"


def _decided(side: SideVerdict) -> str:
    """"the egress of x/a is denied: …" from a side's decision text, whatever its first word."""
    name = f"the {side.direction.lower()} of {side.endpoint}"
    text = side.decision.text
    if text.startswith(("allowed ", "denied ", "allowed:", "denied:")):
        return f"{name} is {text}"
    return f"{name} is {'allowed' if side.allowed else 'denied'}: {text}"


@dataclass(frozen=True)
class Grade:
    """The checker's answer. `passed` only when the input loads, every probe agrees and the
    required lint rules (e.g. naming) have nothing to say."""

    exercise: str
    passed: bool
    compared: int
    differences: tuple[Difference, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()
    hint: str = ""  # the cause line (see `cause`)
    verdict: Verdict | None = None  # the learner's verdict for the connection the cause names
    findings: tuple[str, ...] = ()  # required lint rules that fail, one line each
    empty: bool = False  # nothing was written
    unit: str = "connection"  # what was compared ("connection", or "pod" for selector exercises)

    @property
    def groups(self) -> tuple[Group, ...]:
        return group(self.differences)

    def headline(self) -> str:
        """The first line: ✓, the YAML errors, or the cause of the first difference."""
        if self.empty:
            return "✗ The editor is empty: write your answer there, then press Check."
        if self.errors:
            return "✗ Your YAML has errors, so nothing was checked:"
        if self.passed:
            return (f"✓ Correct: your answer gives the same result as the reference on all {self.compared} "
                    f"{self.unit}s checked.")
        if self.differences:
            return f"✗ {self.hint}"
        return "✗ The traffic is right, but the review is not: " + self.findings[0]

    def _summary(self) -> str:
        n = len(self.differences)
        return f"{n} {self.unit}{'s differ' if n != 1 else ' differs'} from the goal (of {self.compared} checked)"

    def text(self, per_group: int = 2) -> str:
        """The feedback as plain text."""
        lines = [self.headline()]
        if self.empty:
            return lines[0]
        if self.errors:
            lines += [f"  {d}" for d in self.errors]
        elif not self.passed:
            if self.differences:
                lines.append(self._summary() + ":")
                for g in self.groups:
                    lines.append(f"  {g.text()}")
                    lines += [f"    e.g. {d.label}" for d in g.items[:per_group]]
            lines += [f"  {f}" for f in self.findings[1 if not self.differences else 0:]]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return grade_html(self)


def grade_html(grade: Grade, per_group: int = 3) -> str:
    """The feedback as HTML (what the Exercise widget shows under its Check button)."""
    notes = "".join(f'<div style="color:var(--jp-ui-font-color2,#57606a)">note: {escape(n)}</div>'
                    for n in grade.notes)
    head = escape(grade.headline())
    if grade.empty:
        return f'<div style="color:#9a6700"><b>{head}</b></div>'
    if grade.errors:
        items = "".join(f"<li><code>{escape(str(d))}</code></li>" for d in grade.errors)
        return f'<div style="color:#cf222e"><b>{head}</b><ul>{items}</ul></div>{notes}'
    if grade.passed:
        return f'<div style="color:#1a7f37"><b>{head}</b></div>{notes}'
    body = ""
    if grade.differences:
        groups = "".join(
            f"<li>{escape(g.text())}<ul>"
            + "".join(f"<li>{escape(d.label)}</li>" for d in g.items[:per_group])
            + (f"<li>… and {len(g.items) - per_group} more</li>" if len(g.items) > per_group else "")
            + "</ul></li>" for g in grade.groups)
        body = f"<div>{escape(grade._summary())}:</div><ul>{groups}</ul>"
    rest = grade.findings[0 if grade.differences else 1:]
    if rest:
        body += "<ul>" + "".join(f"<li>{escape(f)}</li>" for f in rest) + "</ul>"
    return f'<div style="color:#9a6700"><b>{head}</b></div>{body}{notes}'
