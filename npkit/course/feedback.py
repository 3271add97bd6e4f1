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
from ..i18n import N_, messages
from ..model import Diagnostic
from ..widgets.wording import listing

_ = messages("npkit-ui").gettext
ngettext = messages("npkit-ui").ngettext
OUTSIDE = N_("(outside the cluster)")  # the "namespace" of an address outside the cluster (shown translated)


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
        if self.expected:
            return _("{connection}: should be allowed; your policies deny it").format(connection=self.label)
        return _("{connection}: should be denied; your policies allow it").format(connection=self.label)

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
        src, dst = _namespace(self.src_ns), _namespace(self.dst_ns)
        if self.items[0].protocol == "":  # pods of a selector exercise
            if self.expected:
                template = ngettext("{namespace}: {n} pod should be selected; your selector misses it",
                                    "{namespace}: {n} pods should be selected; your selector misses them", n)
            else:
                template = ngettext("{namespace}: {n} pod should not be selected; your selector selects it",
                                    "{namespace}: {n} pods should not be selected; your selector selects them", n)
            return template.format(namespace=src, n=n)
        probes = Counter(d.probe for d in self.items)
        by_probe = listing(f"{p} ×{c}" if c > 1 else p for p, c in probes.items())
        if self.expected:
            template = ngettext("{src} → {dst}: {n} connection should be allowed; your policies deny it ({probes})",
                                "{src} → {dst}: {n} connections should be allowed; your policies deny them ({probes})",
                                n)
        else:
            template = ngettext("{src} → {dst}: {n} connection should be denied; your policies allow it ({probes})",
                                "{src} → {dst}: {n} connections should be denied; your policies allow them ({probes})",
                                n)
        return template.format(src=src, dst=dst, n=n, probes=by_probe)


def _namespace(name: str) -> str:
    """A namespace as feedback names it (OUTSIDE, for addresses outside the cluster, translated)."""
    return _(OUTSIDE) if name == OUTSIDE else name


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
        return _("{connection} should be allowed, but {decided}").format(connection=d.label, decided=_decided(side))
    ref_sides = (reference.egress, reference.ingress)
    side = sides[next((i for i, s in enumerate(ref_sides) if not s.allowed), 1)]
    return _("{connection} should be denied, but {decided}").format(connection=d.label, decided=_decided(side))


def _decided(side: SideVerdict) -> str:
    """"the egress of x/a is denied: …", a whole clause from a side's decision.

    The engine's decision says its verdict first, one of three ways (in any language): a rule's or a tier's end
    ("denied by default/p spec.egress[0]", "denied at the end of …"), which reads on from "is"; a verdict word and
    a reason ("denied: x/a is isolated …"), whose reason the clause takes; or a reason alone (an end outside the
    cluster), to which the clause adds the verdict.
    """
    text = side.decision.text
    head, colon, reason = text.replace("：", ":", 1).partition(":")
    egress = side.direction == "Egress"
    if colon and head.strip() and not any(c.isspace() for c in head.strip()):
        text = reason.strip()  # a verdict word and a reason
    elif side.decision.kind in ("rule", "end-of-tier"):
        template = (_("the egress of {endpoint} is {decision}") if egress else
                    _("the ingress of {endpoint} is {decision}"))
        return template.format(endpoint=side.endpoint, decision=text)
    if side.allowed:
        template = (_("the egress of {endpoint} is allowed: {reason}") if egress else
                    _("the ingress of {endpoint} is allowed: {reason}"))
    else:
        template = (_("the egress of {endpoint} is denied: {reason}") if egress else
                    _("the ingress of {endpoint} is denied: {reason}"))
    return template.format(endpoint=side.endpoint, reason=text)


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
            return "✗ " + _("The editor is empty: write your answer there, then press Check.")
        if self.errors:
            return "✗ " + _("Your YAML has errors, so nothing was checked:")
        if self.passed:
            correct = (_("Correct: your answer gives the same result as the reference on all {n} pods checked.")
                       if self.unit == "pod" else
                       _("Correct: your answer gives the same result as the reference on all {n} connections "
                         "checked."))
            return "✓ " + correct.format(n=self.compared)
        if self.differences:
            return f"✗ {self.hint}"
        return "✗ " + _("The traffic is right, but the review is not: {finding}").format(finding=self.findings[0])

    def _summary(self) -> str:
        n = len(self.differences)
        if self.unit == "pod":
            template = ngettext("{n} pod differs from the goal (of {total} checked)",
                                "{n} pods differ from the goal (of {total} checked)", n)
        else:
            template = ngettext("{n} connection differs from the goal (of {total} checked)",
                                "{n} connections differ from the goal (of {total} checked)", n)
        return template.format(n=n, total=self.compared)

    def text(self, per_group: int = 2) -> str:
        """The feedback as plain text."""
        lines = [self.headline()]
        if self.empty:
            return lines[0]
        if self.errors:
            lines += [f"  {d}" for d in self.errors]
        elif not self.passed:
            if self.differences:
                lines.append(_("{summary}:").format(summary=self._summary()))
                for g in self.groups:
                    lines.append(f"  {g.text()}")
                    lines += ["    " + _("e.g. {connection}").format(connection=d.label) for d in g.items[:per_group]]
            lines += [f"  {f}" for f in self.findings[1 if not self.differences else 0:]]
        lines += [_note(n) for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return grade_html(self)


def grade_html(grade: Grade, per_group: int = 3) -> str:
    """The feedback as HTML (what the Exercise widget shows under its Check button)."""
    notes = "".join(f'<div style="color:var(--jp-ui-font-color2,#57606a)">{escape(_note(n))}</div>'
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
            + (f"<li>{escape(_more(len(g.items) - per_group))}</li>" if len(g.items) > per_group else "")
            + "</ul></li>" for g in grade.groups)
        summary = _("{summary}:").format(summary=grade._summary())
        body = f"<div>{escape(summary)}</div><ul>{groups}</ul>"
    rest = grade.findings[0 if grade.differences else 1:]
    if rest:
        body += "<ul>" + "".join(f"<li>{escape(f)}</li>" for f in rest) + "</ul>"
    return f'<div style="color:#9a6700"><b>{head}</b></div>{body}{notes}'


def _note(note: str) -> str:
    return _("note: {note}").format(note=note)


def _more(n: int) -> str:
    return _("… and {n} more").format(n=n)
