"""Exercises: a task, a starter, a reference solution, and a checker that grades by meaning.

An exercise is data (`npkit/data/course/exercises/<id>.yaml`). Two kinds:

- `policies` (the default): `check(yaml_text)` loads the learner's policies onto the exercise's
  model cluster and asks `npkit.diff.compare` whether they give the same verdict as the
  reference solution on every probed connection between the cluster's pods; connections to or
  from addresses outside the cluster (`external`) are asked of both engines one by one. An
  exercise may also require lint rules to have nothing to say (`lint: [naming]` when the task
  asks for names).
- `selector`: the learner writes a label selector; it is read as a policy's selector in each of
  the exercise's namespaces and graded by the pods it selects.

The text itself is never compared. Feedback (`npkit.course.feedback`) names the cause first.

>>> ex = Exercise.get("03-and-or")
>>> ex.check(ex.solution()).passed, ex.check(ex.starter_yaml).passed
(True, False)
"""

from __future__ import annotations

import dataclasses
import importlib.util
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import TYPE_CHECKING, Literal

import yaml

from ..diff import compare
from ..engine import Engine, protocol_name
from ..i18n import ENGLISH, get_language, messages, translate
from ..lint import lint
from ..loading import load_string
from ..model import Cluster, Diagnostic, InputError
from ..widgets.wording import listing
from .clusters import model_cluster, read_data
from .feedback import Difference, Grade, cause

if TYPE_CHECKING:
    from ..widgets.exercise import ExerciseView
    from ..widgets.playground import Playground

_ = messages("npkit-ui").gettext
LEARNER_FILE = "your-policies.yaml"
# What each `requires` entry needs, as a module that must exist.
REQUIREMENTS = {"calico": "npkit.loading.calico", "cnp": "npkit.loading.cnp"}
Kind = Literal["policies", "selector"]

__all__ = ["Connection", "Exercise", "Grade", "Difference", "SelectorTask", "LEARNER_FILE"]


@dataclass(frozen=True)
class Connection:
    """A probe with an end outside the cluster: `src` / `dst` are `namespace/pod` or an IP."""

    src: str
    dst: str
    port: int | None
    protocol: str = "TCP"


@dataclass(frozen=True)
class SelectorTask:
    """How a selector exercise reads the learner's text: which language, and in which namespaces."""

    mode: Literal["kubernetes", "calico"] = "kubernetes"
    namespaces: tuple[str, ...] = ()  # read as a policy's selector in each; () = every namespace


@dataclass(frozen=True)
class Exercise:
    """One exercise. `Exercise.get(id).show()` in a notebook; `check(text)` in code and tests."""

    id: str
    title: str
    task_markdown: str
    starter_yaml: str
    solution_yaml: str
    probes: tuple[tuple[int | None, str], ...] = ()
    cluster: str = "default"  # a model cluster name (npkit.course.model_cluster)
    cluster_yaml: str = ""  # objects (policies too) added to that cluster for this exercise
    cluster_files: tuple[str, ...] = ()  # files of npkit/data/course/ added the same way
    hints: tuple[str, ...] = ()
    dataplane: str = "calico"
    external: tuple[Connection, ...] = ()
    requires: tuple[str, ...] = ()
    notebook: str = ""
    kind: Kind = "policies"
    selector: SelectorTask = SelectorTask()
    lint_rules: tuple[str, ...] = ()  # lint rules the learner's policies must pass (e.g. "naming")

    # -- the catalogue ---------------------------------------------------------------------
    @staticmethod
    def get(exercise_id: str) -> Exercise:
        """The exercise with this id; KeyError lists the ids that exist."""
        catalogue = _catalogue()
        if exercise_id not in catalogue:
            raise KeyError(_("no exercise {id!r}; choose one of {ids}").format(id=exercise_id, ids=listing(catalogue)))
        return catalogue[exercise_id].in_language()

    @staticmethod
    def all() -> tuple[Exercise, ...]:
        """Every exercise, in course order."""
        return tuple(e.in_language() for e in _catalogue().values())

    def in_language(self) -> Exercise:
        """This exercise with its words (title, task, hints) in the current language (domain course-<notebook>).

        One copy per language, so what the exercise computes once (its clusters, engines) stays computed."""
        lang = get_language()
        if lang == ENGLISH:
            return self
        key = (self.id, lang)
        if key not in _IN_LANGUAGE:
            domain = f"course-{self.notebook}"
            _IN_LANGUAGE[key] = dataclasses.replace(
                self, title=translate(domain, self.title), task_markdown=translate(domain, self.task_markdown),
                hints=tuple(translate(domain, h) for h in self.hints))
        return _IN_LANGUAGE[key]

    @property
    def missing(self) -> tuple[str, ...]:
        """Requirements this installation lacks (e.g. the Calico loader); empty when it can run."""
        return tuple(r for r in self.requires if importlib.util.find_spec(REQUIREMENTS[r]) is None)

    @property
    def available(self) -> bool:
        return not self.missing

    @property
    def blank(self) -> bool:
        """True when the learner starts from an empty editor."""
        return not self.starter_yaml.strip()

    # -- grading ---------------------------------------------------------------------------
    @cached_property
    def base(self) -> Cluster:
        """The exercise's cluster without any learner policy."""
        cluster = model_cluster(self.cluster)
        for file in self.cluster_files:
            cluster = cluster.merged(load_string(read_data(file), filename=file))
        if self.cluster_yaml.strip():
            cluster = cluster.merged(load_string(self.cluster_yaml, filename=f"{self.id}/cluster.yaml"))
        return cluster

    @cached_property
    def reference(self) -> Engine:
        """The engine for the reference solution."""
        return self.engine_for(load_string(self.solution_yaml, filename=f"{self.id}/solution.yaml"))

    def engine_for(self, loaded: Cluster) -> Engine:
        """The base cluster with the policies (and tiers, network sets) of `loaded`, never its pods."""
        return Engine(self._with_policies(loaded), self.dataplane)  # type: ignore[arg-type]

    def _with_policies(self, loaded: Cluster) -> Cluster:
        policies_only = Cluster(
            network_policies=loaded.network_policies, calico_policies=loaded.calico_policies,
            cluster_network_policies=loaded.cluster_network_policies, tiers=loaded.tiers,
            network_sets=loaded.network_sets)
        return self.base.merged(policies_only)

    def check(self, text: str) -> Grade:
        """Grade the learner's answer by what it does, never by its text."""
        if not text.strip():
            return Grade(self.id, False, 0, empty=True)
        if self.kind == "selector":
            return self._check_selector(text)
        return self._check_policies(text)

    def _check_policies(self, text: str) -> Grade:
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
            notes.append(_("pods and namespaces in your YAML are ignored: the exercise's cluster is fixed"))
        connections = [(c.src, c.dst, c.port, c.protocol) for c in self.external]
        # before = the reference, after = the learner's policies
        comparison = compare(self.reference, mine, self.probes, connections)
        differences = tuple(
            Difference(c.label, c.src, c.dst, c.port, c.protocol, c.before, c.after,
                       mine.verdict(c.src, c.dst, c.port, c.protocol).summary) for c in comparison.changes)
        findings = self._findings(loaded)
        hint, verdict = "", None
        if differences:
            first = _representative(differences)
            verdict = mine.verdict(first.src, first.dst, first.port, first.protocol)
            hint = cause(first, verdict, self.reference.verdict(first.src, first.dst, first.port, first.protocol))
        return Grade(self.id, not differences and not findings, comparison.compared, differences, notes=tuple(notes),
                     hint=hint, verdict=verdict, findings=findings)

    def _findings(self, loaded: Cluster) -> tuple[str, ...]:
        """The required lint rules' findings about the learner's own policies, one line each."""
        if not self.lint_rules:
            return ()
        found = lint(self._with_policies(loaded), self.dataplane, only=self.lint_rules)  # type: ignore[arg-type]
        return tuple(_("{object}: {message} Fix: {fix}.").format(object=f.obj, message=f.message, fix=f.fix)
                     for f in found if f.origin.file == LEARNER_FILE)

    def _selection(self, text: str) -> tuple[tuple[Diagnostic, ...], set[str]]:
        """The pods `text` selects, read as a policy's selector in each of the exercise's namespaces."""
        from ..widgets.selector_lab import SelectorLabState

        state = SelectorLabState(self.base, "{}", mode=self.selector.mode)
        selected: set[str] = set()
        for namespace in self.selector.namespaces or state.namespaces:
            selected.update(state.set_text(text, namespace=namespace).pods)
            if state.errors:
                return state.errors, set()
        return (), selected

    def _check_selector(self, text: str) -> Grade:
        errors, mine = self._selection(text)
        if errors:
            return Grade(self.id, False, 0, errors=errors, unit="pod")
        _errors, reference = self._selection(self.solution_yaml)
        candidates = sorted(p.key for p in self.base.pods
                            if not self.selector.namespaces or p.namespace in self.selector.namespaces)
        differences = tuple(
            Difference(pod, pod, pod, None, "", pod in reference, pod in mine, self._why(text, pod))
            for pod in candidates if (pod in reference) != (pod in mine))
        hint = ""
        if differences:
            d = differences[0]
            hint = (_("{pod} should be selected, but your selector misses it: {why}") if d.expected else
                    _("{pod} should not be selected, but your selector selects it: {why}")).format(pod=d.label,
                                                                                                 why=d.why)
        return Grade(self.id, not differences, len(candidates), differences, hint=hint, unit="pod")

    def _why(self, text: str, pod: str) -> str:
        from ..widgets.selector_lab import SelectorLabState

        return SelectorLabState(self.base, text, mode=self.selector.mode,
                                namespace=pod.split("/", 1)[0]).selection.why(pod)

    # -- for the learner ---------------------------------------------------------------------
    def solution(self) -> str:
        """The reference solution's YAML (only when asked for)."""
        return self.solution_yaml

    def show(self) -> ExerciseView:
        """The exercise widget: task, editor, Check, hints, and the solution on request."""
        from ..widgets.exercise import ExerciseView

        return ExerciseView(self)

    def playground(self, text: str | None = None) -> Playground:
        """A Playground on the exercise's cluster and probes, starting from `text` (the starter)."""
        from ..widgets.playground import Playground

        ends = {e for c in self.external for e in (c.src, c.dst)} - {p.key for p in self.base.pods}
        return Playground(self.base, self.starter_yaml if text is None else text, self.probes, self.dataplane,
                          addresses=sorted(ends))

    def __repr__(self) -> str:
        return _("Exercise {id}: {title}").format(id=self.id, title=self.title)


def _representative(differences: tuple[Difference, ...]) -> Difference:
    """The difference the first line explains: the first of the biggest group (the commonest mistake)."""
    from .feedback import group

    return group(differences)[0].items[0]


def _read(text: str) -> Exercise:
    raw = yaml.safe_load(text)
    probes = tuple((p[0], protocol_name(p[1])) for p in raw.get("probes") or ())
    external = tuple(Connection(c["from"], c["to"], c.get("port"), protocol_name(c.get("protocol", "TCP")))
                     for c in raw.get("external") or ())
    sel = raw.get("selector") or {}
    return Exercise(
        id=raw["id"], title=raw["title"], task_markdown=raw["task"].strip(), starter_yaml=raw.get("starter") or "",
        solution_yaml=raw["solution"], probes=probes, cluster=raw.get("cluster", "default"),
        cluster_yaml=raw.get("cluster_yaml", ""), cluster_files=tuple(raw.get("cluster_files") or ()),
        hints=tuple(raw.get("hints") or ()),
        dataplane=raw.get("dataplane", "calico"), external=external, requires=tuple(raw.get("requires") or ()),
        notebook=str(raw.get("notebook", "")), kind=raw.get("kind", "policies"),
        selector=SelectorTask(sel.get("mode", "kubernetes"), tuple(sel.get("namespaces") or ())),
        lint_rules=tuple(raw.get("lint") or ()),
    )


_CATALOGUE: dict[str, Exercise] = {}
_IN_LANGUAGE: dict[tuple[str, str], Exercise] = {}  # (id, language) → the exercise in that language


def _catalogue() -> dict[str, Exercise]:
    if not _CATALOGUE:
        folder = resources.files("npkit").joinpath("data").joinpath("course").joinpath("exercises")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                exercise = _read(entry.read_text(encoding="utf-8"))
                if exercise.id != entry.name.removesuffix(".yaml"):
                    raise ValueError(_("exercise file {file} has id {id!r}; they must agree").format(
                        file=entry.name, id=exercise.id))
                _CATALOGUE[exercise.id] = exercise
    return _CATALOGUE
