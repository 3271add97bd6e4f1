"""Which backend a lab runs on: a registry of backends by name, their typed configurations, and the choice.

The choice, first match wins:
1. a backend named by the caller (`--backend`, `LabSession(backend="local")`);
2. `NPKIT_LAB_BACKEND=kind|local|predict`;
3. the local backend when the user opted in to it (the lab notebook's button, `allow_local=True`);
4. `kind` when the lab's kind cluster is reachable (it only uses a cluster the user created for labs);
5. `predict`, saying how to observe instead.

The local backend creates network namespaces and nftables rules on this machine, so it is never
chosen automatically. A named backend that cannot run is an error that says why, never a silent
fallback; an option the backend cannot honour is an error too (`config_for`).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..i18n import N_, messages
from .backend import LabBackend, LabConfigError, LabError
from .config import BackendConfig, KindConfig, LocalConfig, PredictConfig, flag
from .provenance import provenance

_tools = messages("npkit-tools")
_, ngettext, pgettext = _tools.gettext, _tools.ngettext, _tools.pgettext

ENV_VAR = "NPKIT_LAB_BACKEND"
# What the local backend creates (its `changes`); N_: translated where shown.
LOCAL_CHANGES = N_("network namespaces and nftables rules on this machine; needs root")
OPT_IN_TEMPLATE = N_("to observe on this machine instead, opt in to the local backend ({changes}): "
                     "`--backend local`, {env_var}=local, or the opt-in button in the lab notebook; "
                     "or start a kind cluster with `npkit lab up`")
OPT_IN = OPT_IN_TEMPLATE.format(changes=LOCAL_CHANGES, env_var=ENV_VAR)  # in English


def how_to_observe() -> str:
    """How to observe instead of predicting (OPT_IN), in the current language."""
    return _(OPT_IN_TEMPLATE).format(changes=_(LOCAL_CHANGES), env_var=ENV_VAR)

Factory = Callable[[BackendConfig], LabBackend]


@dataclass(frozen=True)
class BackendSpec:
    """A registered backend: how to build it, the configuration it takes, and whether npkit may
    choose it without being asked (only backends that change nothing on the user's machine)."""

    factory: str | Factory | type[LabBackend]  # "module:attribute" is imported only when needed
    config_type: type[BackendConfig] = BackendConfig
    automatic: bool = False


def _kind_from_config(config: BackendConfig) -> LabBackend:
    """The kind backend, whichever constructor it has (it moves to `KindBackend(config)`)."""
    from .backends.kind import KindBackend

    if KindBackend.config_type is KindConfig:
        return KindBackend.from_config(config)
    return KindBackend(**asdict(config))


_REGISTRY: dict[str, BackendSpec] = {
    "kind": BackendSpec(_kind_from_config, KindConfig, automatic=True),
    "local": BackendSpec("npkit.lab.backends.local:LocalBackend", LocalConfig),
    "predict": BackendSpec("npkit.lab.backends.predict:PredictBackend", PredictConfig),
}


def register_backend(name: str, factory: str | Factory | type[LabBackend],
                     config_type: type[BackendConfig] = BackendConfig, automatic: bool = False) -> None:
    """Make a backend available by name (to NPKIT_LAB_BACKEND and --backend). `factory` is a LabBackend
    class, a callable taking the configuration, or a "module:attribute" string; `automatic` lets the
    choice take it unasked, which only a backend that changes nothing on the user's machine may allow."""
    _REGISTRY[name] = BackendSpec(factory, config_type, automatic)


def backend_names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def _spec(name: str) -> BackendSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LabConfigError(_("unknown lab backend {name}; known: {known}").format(
            name=repr(name), known=", ".join(_REGISTRY))) from None


def _factory(name: str) -> Factory | type[LabBackend]:
    target = _spec(name).factory
    if not isinstance(target, str):
        return target
    module_name, _colon, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and module_name.startswith(e.name):
            raise LabError(_("the {backend} backend is not installed in this npkit ({module} is missing)").format(
                backend=name, module=module_name)) from None
        raise
    factory: Factory | type[LabBackend] | None = getattr(module, attribute, None)
    if factory is None:
        raise LabError(_("the {backend} backend is not available ({module} has no {attribute})").format(
            backend=name, module=module_name, attribute=attribute))
    return factory


def config_for(name: str, options: Mapping[str, object] | None = None) -> BackendConfig:
    """Backend `name`'s configuration from `options` (None values mean "not given"); an option the
    backend does not take is a LabConfigError naming it as the user typed it."""
    config_type = _spec(name).config_type
    given: dict[str, Any] = {k: v for k, v in (options or {}).items() if v is not None}
    accepted = {f.name for f in fields(config_type)}
    for option in given:
        if option not in accepted:
            others = [n for n, s in _REGISTRY.items() if option in {f.name for f in fields(s.config_type)}]
            refusal = config_type.refusals.get(option)
            why = _(refusal) if refusal else _("the {backend} backend has no such option").format(backend=name)
            raise LabConfigError(_refused(flag(option), name, why, others))
    try:
        return config_type(**given)
    except TypeError as e:  # a value of the wrong kind reached the dataclass
        raise LabConfigError(_("{backend} backend options: {error}").format(backend=name, error=e)) from None


def create_backend(name: str, config: BackendConfig | None = None, /, **options: object) -> LabBackend:
    """An instance of backend `name`, from a configuration or from options (checked by `config_for`)."""
    if config is None:
        config = config_for(name, options)
    elif options:
        raise TypeError("give a configuration or options, not both")
    elif not isinstance(config, _spec(name).config_type):
        raise LabConfigError(_("the {backend} backend takes a {wanted}, not a {given}").format(
            backend=name, wanted=_spec(name).config_type.__name__, given=type(config).__name__))
    factory = _factory(name)
    if isinstance(factory, type):
        if not issubclass(factory, LabBackend):
            raise LabError(_("the {backend} backend's factory {factory} is not a LabBackend").format(
                backend=name, factory=factory.__name__))
        return factory.from_config(config)
    return factory(config)


def _refused(option: str, backend: str, why: str, others: list[str]) -> str:
    """Why `option` cannot be used with `backend`, and which backends take it (`others`)."""
    if not others:
        return _("{option} cannot be used with the {backend} backend: {why}. Leave {option} out, or choose "
                 "another backend.").format(option=option, backend=backend, why=why)
    # Translators: {others} is one backend name, or several joined by " and "
    return ngettext("{option} cannot be used with the {backend} backend: {why}; {others} takes it. Leave {option} "
                    "out, or choose another backend.",
                    "{option} cannot be used with the {backend} backend: {why}; {others} take it. Leave {option} "
                    "out, or choose another backend.", len(others)).format(
        option=option, backend=backend, why=why, others=pgettext("names", " and ").join(others))


@dataclass
class Choice:
    """The chosen backend, why, and why each automatic candidate was passed over."""

    backend: LabBackend
    reason: str
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def banner(self) -> str:
        """The lab banner: what runs where, and what the results rest on."""
        b = self.backend
        lines = [_("Lab backend: {backend} — {description}").format(backend=b.name, description=b.describe()),
                 f"  {provenance(b.name, b.dataplane, observed=b.observes).translated}",
                 "  " + _("chosen because: {reason}").format(reason=self.reason)]
        lines += ["  " + _("not {backend}: {reason}").format(backend=name, reason=why) for name, why in self.skipped]
        if not b.observes:
            lines.append(f"  {how_to_observe()}")
        return "\n".join(lines)


def _named(name: str, why: str, options: Mapping[str, object]) -> Choice:
    backend = create_backend(name, **options)
    problems = backend.usable()
    if problems:
        message = _("{why}, but the {backend} backend cannot run here:\n{problems}").format(
            why=why, backend=name, problems="\n".join(f"- {p}" for p in problems))
        raise LabError(message + ("\n" + _("Choose another backend, or fix the above.") if name != "predict" else ""))
    return Choice(backend, why)


def choose_backend(requested: str | None = None, *, env: Mapping[str, str] | None = None,
                   allow_local: bool = False, **options: object) -> Choice:
    """The backend for a lab (see the module docstring for the order).

    `options` (lab_id, cluster, allow_context, cni, ...) configure the backend; a named backend that
    does not take one of them raises LabConfigError. Only lab_id reaches the predict fallback.
    """
    env = os.environ if env is None else env
    if requested:
        name = requested.strip().lower()
        return _named(name, _("the {backend} backend was named (--backend {backend})").format(backend=name), options)
    forced = (env.get(ENV_VAR) or "").strip().lower()
    if forced:
        return _named(forced, f"{ENV_VAR}={forced}", options)
    if allow_local:
        return _named("local", _("you opted in to the local backend"), options)
    skipped: list[tuple[str, str]] = []
    for name, spec in _REGISTRY.items():
        if not spec.automatic:
            continue
        try:
            backend = create_backend(name, **options)
            problems = backend.usable()
        except LabConfigError:
            raise
        except LabError as e:
            skipped.append((name, str(e)))
            continue
        except Exception as e:  # noqa: BLE001 - a broken optional backend must not stop the lesson
            skipped.append((name, f"{type(e).__name__}: {e}"))
            continue
        if not problems:
            return Choice(backend, _("{backend} is available here").format(backend=name), skipped)
        skipped.append((name, problems[0]))
    reason = _("no kind lab cluster is reachable, and the local backend runs only when you opt in")
    lab_id = options.get("lab_id")
    config = PredictConfig(reason=reason) if lab_id is None else PredictConfig(lab_id=str(lab_id), reason=reason)
    return Choice(create_backend("predict", config), reason, skipped)
