"""Which backend a lab runs on: a registry of backends by name, and the automatic choice.

Automatic order: `kind` when the lab's kind cluster is reachable, then `local` (network
namespaces) when its preflight passes, then `predict`. `NPKIT_LAB_BACKEND=kind|local|predict`
overrides the choice; a forced backend that cannot run is an error that says why, never a
silent fallback. Another backend plugs in with `register_backend`.
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .backend import LabBackend, LabError

ENV_VAR = "NPKIT_LAB_BACKEND"
AUTO_ORDER = ("kind", "local")  # predict is what remains

# name → "module:attribute" of a LabBackend subclass (or any factory); imported only when asked.
_REGISTRY: dict[str, str | Callable[..., LabBackend]] = {
    "kind": "npkit.lab.backends.kind:KindBackend",
    "local": "npkit.lab.backends.local:LocalBackend",
    "predict": "npkit.lab.backends.predict:PredictBackend",
}


def register_backend(name: str, factory: str | Callable[..., LabBackend]) -> None:
    """Make a backend available by name (to NPKIT_LAB_BACKEND, --backend and the automatic choice
    when listed in AUTO_ORDER). `factory` is a callable or a "module:attribute" string."""
    _REGISTRY[name] = factory


def backend_names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def _factory(name: str) -> Callable[..., LabBackend]:
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise LabError(f"unknown lab backend {name!r}; known: {', '.join(_REGISTRY)}") from None
    if callable(target):
        return target
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and module_name.startswith(e.name):
            raise LabError(f"the {name} backend is not installed in this npkit ({module_name} is missing)") from None
        raise
    factory = getattr(module, attribute, None)
    if factory is None:
        raise LabError(f"the {name} backend is not available yet ({module_name} has no {attribute})")
    return factory


def create_backend(name: str, **options) -> LabBackend:
    """An instance of backend `name`; options it does not accept (e.g. lab_id) are left out."""
    factory = _factory(name)
    try:
        accepted = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        accepted = {}
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    kwargs = {k: v for k, v in options.items() if v is not None and (takes_any or k in accepted)}
    return factory(**kwargs)


@dataclass
class Choice:
    """The chosen backend, why, and why each earlier candidate was passed over."""

    backend: LabBackend
    reason: str
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def banner(self) -> str:
        """The lab banner: what runs where, and whether results are observed or predicted."""
        b = self.backend
        mode = "observed on a real dataplane, shown beside the prediction" if b.observes else \
            "PREDICTED, NOT OBSERVED: nothing is run, the matrices are the evaluator's"
        lines = [f"Lab backend: {b.name} — {b.describe()}", f"  {mode}", f"  chosen because: {self.reason}"]
        for name, why in self.skipped:
            lines.append(f"  not {name}: {why}")
        return "\n".join(lines)


def choose_backend(env: Mapping[str, str] | None = None, **options) -> Choice:
    """The backend for a lab: NPKIT_LAB_BACKEND if set, else the first usable in AUTO_ORDER, else predict.

    `options` (lab_id, cluster, allow_context, ...) go to the backend's constructor when it takes them.
    """
    env = os.environ if env is None else env
    forced = (env.get(ENV_VAR) or "").strip().lower()
    if forced:
        backend = create_backend(forced, **options) if forced != "predict" else \
            create_backend("predict", reason=f"{ENV_VAR}=predict")
        problems = backend.usable()
        if problems:
            raise LabError(f"{ENV_VAR}={forced}, but that backend cannot run here:\n- " + "\n- ".join(problems)
                           + f"\nUnset {ENV_VAR} to let npkit choose, or fix the above.")
        return Choice(backend, f"{ENV_VAR}={forced}")
    skipped: list[tuple[str, str]] = []
    for name in AUTO_ORDER:
        try:
            backend = create_backend(name, **options)
            problems = backend.usable()
        except LabError as e:
            skipped.append((name, str(e)))
            continue
        except Exception as e:  # noqa: BLE001 - a broken optional backend must not stop the lesson
            skipped.append((name, f"{type(e).__name__}: {e}"))
            continue
        if not problems:
            return Choice(backend, f"{name} is available here", skipped)
        skipped.append((name, problems[0]))
    return Choice(create_backend("predict", reason="no kind cluster or local backend is usable here"),
                  "no observing backend is usable here", skipped)
