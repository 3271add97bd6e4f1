"""Exercises: a task, a starter, a reference solution, and a checker that grades by meaning.

An exercise is data (`npkit/data/course/exercises/<id>.yaml`). `check(yaml_text)` loads the
learner's policies onto the exercise's model cluster and asks `npkit.diff.compare` whether
they give the same verdict as the reference solution on every probed connection between
the cluster's pods; connections to or from addresses outside the cluster (`external`) are
asked of both engines one by one. The YAML text itself is never compared.

>>> ex = Exercise.get("03-and-or")
>>> ex.check(ex.solution()).passed, ex.check(ex.starter_yaml).passed
(True, False)
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cached_property
from html import escape
from importlib import resources

import yaml

from ..diff import compare
from ..engine import Engine, Verdict, protocol_name
from ..loading import load_string
from ..model import Cluster, Diagnostic, InputError
from .clusters import model_cluster

LEARNER_FILE = "your-policies.yaml"
# What each `requires` entry needs, as a module that must exist.
REQUIREMENTS = {"calico": "npkit.loading.calico", "cnp": "npkit.loading.cnp"}


@dataclass(frozen=True)
class Connection:
    """A probe with an end outside the cluster: `src` / `dst` are `namespace/pod` or an IP."""

    src: str
    dst: str
    port: int | None
    protocol: str = "TCP"


@dataclass(frozen=True)
class Difference:
    """One connection where the learner's policies disagree with the reference."""

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


@dataclass(frozen=True)
class Grade:
    """The checker's answer. `passed` only when the input loads and every probe agrees."""

    exercise: str
    passed: bool
    compared: int
    differences: tuple[Difference, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()
    hint: str = ""  # derived from the first difference
    verdict: Verdict | None = None  # the learner's verdict for the first difference, for explanations

    def text(self, limit: int = 8) -> str:
        """The feedback as plain text."""
        if self.errors:
            lines = ["✗ Your YAML has errors, so nothing was checked:"]
            lines += [f"  {d}" for d in self.errors]
        elif self.passed:
            lines = [f"✓ Correct: your policies give the same answer as the reference on all "
                     f"{self.compared} connections checked."]
        else:
            n = len(self.differences)
            lines = [f"✗ Not yet: {n} connection{'s differ' if n != 1 else ' differs'} from the goal "
                     f"(of {self.compared} checked):"]
            lines += [f"  {d.text()}" for d in self.differences[:limit]]
            if n > limit:
                lines.append(f"  … and {n - limit} more")
            if self.hint:
                lines.append(f"Hint: {self.hint}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return grade_html(self)


def grade_html(grade: Grade, limit: int = 8) -> str:
    """The feedback as HTML (what the Exercise widget shows under its Check button)."""
    if grade.errors:
        items = "".join(f"<li><code>{escape(str(d))}</code></li>" for d in grade.errors)
        return ('<div style="color:#cf222e"><b>✗ Your YAML has errors, so nothing was checked:</b>'
                f"<ul>{items}</ul></div>")
    notes = "".join(f'<div style="color:#57606a">note: {escape(n)}</div>' for n in grade.notes)
    if grade.passed:
        return (f'<div style="color:#1a7f37"><b>✓ Correct:</b> your policies give the same answer as the '
                f"reference on all {grade.compared} connections checked.</div>{notes}")
    n = len(grade.differences)
    items = "".join(f"<li>{escape(d.text())}</li>" for d in grade.differences[:limit])
    if n > limit:
        items += f"<li>… and {n - limit} more</li>"
    hint = f'<div><b>Hint:</b> {escape(grade.hint)}</div>' if grade.hint else ""
    return (f'<div style="color:#9a6700"><b>✗ Not yet:</b> {n} connection{"s differ" if n != 1 else " differs"} from '
            f"the goal (of {grade.compared} checked):</div><ul>{items}</ul>{hint}{notes}")


@dataclass(frozen=True)
class Exercise:
    """One exercise. `Exercise.get(id).show()` in a notebook; `check(text)` in code and tests."""

    id: str
    title: str
    task_markdown: str
    starter_yaml: str
    solution_yaml: str
    probes: tuple[tuple[int | None, str], ...]
    cluster: str = "default"  # a model cluster name (npkit.course.model_cluster)
    cluster_yaml: str = ""  # objects added to that cluster for this exercise
    hints: tuple[str, ...] = ()
    dataplane: str = "calico"
    external: tuple[Connection, ...] = ()
    requires: tuple[str, ...] = ()
    notebook: str = ""

    # -- the catalogue ---------------------------------------------------------------------
    @staticmethod
    def get(exercise_id: str) -> Exercise:
        """The exercise with this id; KeyError lists the ids that exist."""
        catalogue = _catalogue()
        if exercise_id not in catalogue:
            raise KeyError(f"no exercise {exercise_id!r}; choose one of {', '.join(catalogue)}")
        return catalogue[exercise_id]

    @staticmethod
    def all() -> tuple[Exercise, ...]:
        """Every exercise, in course order."""
        return tuple(_catalogue().values())

    @property
    def missing(self) -> tuple[str, ...]:
        """Requirements this installation lacks (e.g. the Calico loader); empty when it can run."""
        return tuple(r for r in self.requires if importlib.util.find_spec(REQUIREMENTS[r]) is None)

    @property
    def available(self) -> bool:
        return not self.missing

    # -- grading ---------------------------------------------------------------------------
    @cached_property
    def base(self) -> Cluster:
        """The exercise's cluster without any learner policy."""
        cluster = model_cluster(self.cluster)
        if self.cluster_yaml.strip():
            cluster = cluster.merged(load_string(self.cluster_yaml, filename=f"{self.id}/cluster.yaml"))
        return cluster

    @cached_property
    def reference(self) -> Engine:
        """The engine for the reference solution."""
        return self.engine_for(load_string(self.solution_yaml, filename=f"{self.id}/solution.yaml"))

    def engine_for(self, loaded: Cluster) -> Engine:
        """The base cluster with the policies (and tiers, network sets) of `loaded`, never its pods."""
        policies_only = Cluster(
            network_policies=loaded.network_policies, calico_policies=loaded.calico_policies,
            cluster_network_policies=loaded.cluster_network_policies, tiers=loaded.tiers,
            network_sets=loaded.network_sets)
        return Engine(self.base.merged(policies_only), self.dataplane)  # type: ignore[arg-type]

    def check(self, text: str) -> Grade:
        """Grade the learner's YAML by the verdicts it produces, never by its text."""
        try:
            loaded = load_string(text, filename=LEARNER_FILE)
            mine = self.engine_for(loaded)
        except InputError as e:
            return Grade(self.id, False, 0, errors=e.errors or e.diagnostics)
        except ValueError as e:  # e.g. a policy naming a tier that does not exist
            return Grade(self.id, False, 0, errors=(Diagnostic("error", str(e)),))
        notes = [d.message for d in loaded.warnings]
        declared = [p.key for p in loaded.pods] + [n.name for n in loaded.namespaces.values() if not n.implicit]
        if declared:
            notes.append("pods and namespaces in your YAML are ignored: the exercise's cluster is fixed")
        connections = [(c.src, c.dst, c.port, c.protocol) for c in self.external]
        # before = the reference, after = the learner's policies
        comparison = compare(self.reference, mine, self.probes, connections)
        differences, first = [], None
        for c in comparison.changes:
            verdict = mine.verdict(c.src, c.dst, c.port, c.protocol)
            differences.append(Difference(c.label, c.src, c.dst, c.port, c.protocol, c.before, c.after,
                                          verdict.summary))
            first = first or verdict
        hint = _auto_hint(differences[0]) if differences else ""
        return Grade(self.id, not differences, comparison.compared, tuple(differences), notes=tuple(notes),
                     hint=hint, verdict=first)

    # -- for the learner ---------------------------------------------------------------------
    def solution(self) -> str:
        """The reference solution's YAML (only when asked for)."""
        return self.solution_yaml

    def show(self):
        """The exercise widget: task, editor, Check, hints, and the solution on request."""
        from ..widgets.exercise import ExerciseView

        return ExerciseView(self)

    def playground(self, text: str | None = None):
        """A Playground on the exercise's cluster and probes, starting from `text` (the starter)."""
        from ..widgets.playground import Playground

        ends = {e for c in self.external for e in (c.src, c.dst)} - {p.key for p in self.base.pods}
        return Playground(self.base, self.starter_yaml if text is None else text, self.probes, self.dataplane,
                          addresses=sorted(ends))

    def __repr__(self) -> str:
        return f"Exercise {self.id}: {self.title}"


def _auto_hint(d: Difference) -> str:
    want, got = ("allowed", "deny") if d.expected else ("denied", "allow")
    return f"{d.label} should be {want}; your policies {got} it: {d.why}"


def _read(text: str) -> Exercise:
    raw = yaml.safe_load(text)
    probes = tuple((p[0], protocol_name(p[1])) for p in raw["probes"])
    external = tuple(Connection(c["from"], c["to"], c.get("port"), protocol_name(c.get("protocol", "TCP")))
                     for c in raw.get("external") or ())
    return Exercise(
        id=raw["id"], title=raw["title"], task_markdown=raw["task"].strip(), starter_yaml=raw["starter"],
        solution_yaml=raw["solution"], probes=probes, cluster=raw.get("cluster", "default"),
        cluster_yaml=raw.get("cluster_yaml", ""), hints=tuple(raw.get("hints") or ()),
        dataplane=raw.get("dataplane", "calico"), external=external, requires=tuple(raw.get("requires") or ()),
        notebook=str(raw.get("notebook", "")),
    )


_CATALOGUE: dict[str, Exercise] = {}


def _catalogue() -> dict[str, Exercise]:
    if not _CATALOGUE:
        folder = resources.files("npkit").joinpath("data").joinpath("course").joinpath("exercises")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                exercise = _read(entry.read_text(encoding="utf-8"))
                if exercise.id != entry.name.removesuffix(".yaml"):
                    raise ValueError(f"exercise file {entry.name} has id {exercise.id!r}; they must agree")
                _CATALOGUE[exercise.id] = exercise
    return _CATALOGUE
