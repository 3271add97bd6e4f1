"""Observed beside predicted: which cells a real dataplane answered differently, and why the
engine predicted what it did. Text for terminals, HTML for notebooks, JSON for tools.

Every rendering says what the observation rests on (provenance.py): for a Calico scenario on
the local backend, that it was observed on npkit's own nftables rendering, not on Felix.

A cell is *observed allowed* when the probe connected, or when it was REFUSED by a pod that
does not listen on that port: the packet got through policy and the pod's kernel answered
with a reset. (Policy drops show as TIMEOUT; Calico and kindnet drop rather than reject.)
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..engine import Engine
from ..explain import render_verdict
from ..i18n import ljust, messages, width
from ..matrix import Matrix, render_table
from ..model import Cluster
from .backend import ProbeResult
from .provenance import Provenance, provenance

_tools = messages("npkit-tools")
_, ngettext = _tools.gettext, _tools.ngettext

MISMATCH = "!"


def serves(cluster: Cluster, pod: str, port: int | None, protocol: str) -> bool:
    """Whether the pod declares a container port for (port, protocol)."""
    p = cluster.pod(pod)
    return any(cp.port == port and cp.protocol == protocol for cp in p.ports)


def observed_allowed(result: ProbeResult, cluster: Cluster) -> bool:
    """Did the connection get through policy? (see the module docstring for REFUSED)."""
    if result.connected:
        return True
    r = result.request
    return result.outcome == "REFUSED" and not serves(cluster, r.dst, r.port, r.protocol)


@dataclass(frozen=True)
class Mismatch:
    """A cell where observation and prediction disagree, with the engine's explanation."""

    src: str
    dst: str
    predicted: bool
    observed: bool
    outcome: str
    detail: str
    attempts: int
    explanation: str

    def headline(self) -> str:
        """`a → b: predicted allowed, observed denied [TIMEOUT, 2 attempts]` (the probe's outcome and
        detail as the probe reported them)."""
        seen = self.outcome + (f" ({self.detail})" if self.detail else "")
        n = self.attempts
        if self.predicted:  # a mismatch: observed is the other way
            text = ngettext("{src} → {dst}: predicted allowed, observed denied [{seen}, {n} attempt]",
                            "{src} → {dst}: predicted allowed, observed denied [{seen}, {n} attempts]", n)
        else:
            text = ngettext("{src} → {dst}: predicted denied, observed allowed [{seen}, {n} attempt]",
                            "{src} → {dst}: predicted denied, observed allowed [{seen}, {n} attempts]", n)
        return text.format(src=self.src, dst=self.dst, seen=seen, n=n)

    def to_json(self) -> dict[str, object]:
        return {"src": self.src, "dst": self.dst, "predicted": self.predicted, "observed": self.observed,
                "outcome": self.outcome, "detail": self.detail, "attempts": self.attempts}


@dataclass(frozen=True, eq=False)
class LabComparison:
    """One probe round: the engine's matrix, the backend's (None in prediction-only mode), the raw
    probe results, the engine that made the prediction (for explanations), and what the
    observation rests on (derived from backend, dataplane and the engine's objects if not given)."""

    predicted: Matrix
    observed: Matrix | None
    results: tuple[ProbeResult, ...]
    engine: Engine
    backend: str
    dataplane: str
    origin: Provenance | None = None

    @property
    def provenance(self) -> Provenance:
        """Who enforced the observed matrix, and what agreement with the prediction means."""
        if self.origin is not None:
            return self.origin
        return provenance(self.backend, self.dataplane, self.engine.cluster, self.observed is not None)

    @property
    def observes(self) -> bool:
        return self.observed is not None

    @property
    def mismatch_mask(self) -> np.ndarray:
        return self.predicted.flipped(self.observed)  # all False when nothing is observed

    @property
    def agree(self) -> bool:
        """True when every observed cell matches the prediction (vacuously true when nothing is observed)."""
        return not self.mismatch_mask.any()

    def result(self, src: str, dst: str) -> ProbeResult | None:
        for r in self.results:
            if r.request.src == src and r.request.dst == dst:
                return r
        return None

    def explain(self, src: str, dst: str, verbose: bool = True) -> str:
        """The engine's explanation of one cell."""
        return render_verdict(self.engine.verdict(src, dst, self.predicted.port, self.predicted.protocol), verbose)

    @cached_property
    def mismatches(self) -> list[Mismatch]:
        """Computed once (each carries the engine's explanation); summary and renderings reuse it."""
        out: list[Mismatch] = []
        if self.observed is None:
            return out
        pods = self.predicted.pods
        for i, j in zip(*np.nonzero(self.mismatch_mask), strict=True):
            src, dst = pods[i], pods[j]
            r = self.result(src, dst)
            out.append(Mismatch(src, dst, bool(self.predicted.allowed[i, j]), bool(self.observed.allowed[i, j]),
                                r.outcome if r else "UNKNOWN", r.detail if r else "", r.attempts if r else 0,
                                self.explain(src, dst)))
        return out

    # -- renderings ---------------------------------------------------------------------------
    def to_json(self) -> dict[str, object]:
        """The observed matrix in exactly `npkit matrix -o json`'s shape, plus `mismatches`, `backend`
        and `enforced_by` (what the observation rests on); in prediction-only mode the predicted
        matrix, with `observed: false`."""
        shown = self.observed if self.observed is not None else self.predicted
        doc = shown.to_json()
        doc["dataplane"] = self.dataplane
        doc["backend"] = self.backend
        doc["observed"] = self.observed is not None
        doc["enforced_by"] = self.provenance.text
        doc["mismatches"] = [m.to_json() for m in self.mismatches]
        return doc

    def summary(self) -> str:
        n = len(self.predicted.pods) ** 2
        label, backend = self.predicted.label, self.backend
        if self.observed is None:
            return ngettext("{label}: {n} connections predicted, not observed (backend {backend})",
                            "{label}: {n} connections predicted, not observed (backend {backend})", n).format(
                label=label, n=n, backend=backend)
        bad = len(self.mismatches)
        if not bad:
            return ngettext("{label}: all {n} observed connections match the prediction (backend {backend})",
                            "{label}: all {n} observed connections match the prediction (backend {backend})",
                            n).format(label=label, n=n, backend=backend)
        return ngettext("{label}: {bad} of {n} observed connections differ from the prediction (backend {backend})",
                        "{label}: {bad} of {n} observed connections differ from the prediction (backend {backend})",
                        n).format(label=label, bad=bad, n=n, backend=backend)

    def render_text(self, explain: bool = True) -> str:
        """Predicted and observed tables side by side, then each mismatch with its explanation."""
        left = [_("Predicted (npkit engine, dataplane {dataplane})").format(dataplane=self.dataplane),
                *render_table(self.predicted, legend=False).splitlines()]
        if self.observed is None:
            body = "\n".join(left) + "\n" + _("(predicted, not observed)")
        else:
            marked = render_table(self.observed, flipped=self.mismatch_mask, legend=False).replace("*", MISMATCH)
            right = [_("Observed ({backend})").format(backend=self.backend), *marked.splitlines()]
            columns = max(width(line) for line in left) + 4  # terminal columns: the titles may be Chinese
            rows = max(len(left), len(right))
            left += [""] * (rows - len(left))
            right += [""] * (rows - len(right))
            body = "\n".join((ljust(a, columns) + b).rstrip() for a, b in zip(left, right, strict=True))
        legend = (_("✓ allowed  · denied  {mark} observed differs from predicted   (rows: source, columns: "
                    "destination)").format(mark=MISMATCH) if self.observed is not None
                  else _("✓ allowed  · denied   (rows: source, columns: destination)"))
        lines = [body, legend, self.summary(),
                 _("About this result: {provenance}.").format(provenance=self.provenance.translated)]
        for m in self.mismatches:
            lines += ["", m.headline()]
            if explain:
                lines += ["  " + line for line in m.explanation.splitlines()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render_text()

    def _repr_html_(self) -> str:
        pods = self.predicted.pods
        mask = self.mismatch_mask
        head = "".join(f"<th style='writing-mode:vertical-rl'>{html.escape(p)}</th>" for p in pods)
        rows = []
        for i, src in enumerate(pods):
            cells = []
            for j, dst in enumerate(pods):
                p = "✓" if self.predicted.allowed[i, j] else "·"
                if self.observed is None:
                    text, style, title = p, "", _("predicted, not observed")
                else:
                    o = "✓" if self.observed.allowed[i, j] else "·"
                    r = self.result(src, dst)
                    text = f"{p}/{o}"
                    style = "background:#f8d7da;font-weight:bold" if mask[i, j] else ""
                    title = (_("predicted {predicted}, observed {observed} ({outcome})").format(
                        predicted=p, observed=o, outcome=r.outcome) if r
                        else _("predicted {predicted}, observed {observed}").format(predicted=p, observed=o))
                cells.append(f"<td style='text-align:center;{style}' title='{html.escape(title)}'>{text}</td>")
            rows.append(f"<tr><th style='text-align:left'>{html.escape(src)}</th>{''.join(cells)}</tr>")
        legend = (html.escape(_("cells: predicted/observed; ✓ allowed, · denied; red: they differ"))
                  if self.observed is not None else f"<b>{html.escape(_('predicted, not observed'))}</b>")
        note = _("About this result: {provenance}.").format(provenance=self.provenance.translated)
        corner = html.escape(_("from \\ to"))
        parts = [f"<div><b>{html.escape(self.summary())}</b>",
                 f"<div style='font-style:italic'>{html.escape(note)}</div>",
                 f"<table><tr><th>{corner}</th>{head}</tr>{''.join(rows)}</table>",
                 f"<small>{legend}</small>"]
        for m in self.mismatches:
            parts.append(f"<details open><summary>{html.escape(m.headline())}</summary>"
                         f"<pre>{html.escape(m.explanation)}</pre></details>")
        parts.append("</div>")
        return "".join(parts)


def observed_matrix(predicted: Matrix, results: Sequence[ProbeResult], cluster: Cluster) -> Matrix:
    """The backend's answers as a Matrix over the same pods, in the same order."""
    index = {p: i for i, p in enumerate(predicted.pods)}
    allowed = np.zeros_like(predicted.allowed)
    for r in results:
        allowed[index[r.request.src], index[r.request.dst]] = observed_allowed(r, cluster)
    allowed.flags.writeable = False
    return Matrix(predicted.pods, predicted.port, predicted.protocol, allowed)
