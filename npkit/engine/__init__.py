"""Pure evaluation: no I/O, no printing. `Engine` is the entry point."""

from .criteria import PortSpan, ProgramCriteria
from .engine import Engine
from .probe import Endpoint, Probe, Traffic, protocol_name, protocol_number
from .program import DATAPLANES, VIEWS, CompiledPolicy, CompiledRule, CompiledTier, Program, View, ViewChoice

TYPE_CHECKING = False  # typing's is not needed
if TYPE_CHECKING:
    from .verdict import Decision, PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict

__all__ = [
    "Engine", "PortSpan", "ProgramCriteria", "Endpoint", "Probe", "Traffic", "protocol_name", "protocol_number",
    "DATAPLANES", "VIEWS", "View", "ViewChoice",
    "CompiledPolicy", "CompiledRule", "CompiledTier", "Program", "Decision", "PolicyTrace",
    "RuleTrace", "SideVerdict", "TierTrace", "Verdict",
]

_VERDICT_NAMES = frozenset({"Decision", "PolicyTrace", "RuleTrace", "SideVerdict", "TierTrace", "Verdict"})


def __getattr__(name: str) -> object:
    """The verdict classes, imported on first use (matrices and connection lists never need them)."""
    if name not in _VERDICT_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import verdict

    value = getattr(verdict, name)
    globals()[name] = value
    return value
