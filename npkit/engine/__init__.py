"""Pure evaluation: no I/O, no printing. `Engine` is the entry point."""

from .criteria import PortSpan, ProgramCriteria
from .engine import Engine
from .probe import Endpoint, Probe, Traffic, protocol_name, protocol_number
from .program import DATAPLANES, VIEWS, CompiledPolicy, CompiledRule, CompiledTier, Program, View, ViewChoice
from .verdict import Decision, PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict

__all__ = [
    "Engine", "PortSpan", "ProgramCriteria", "Endpoint", "Probe", "Traffic", "protocol_name", "protocol_number",
    "DATAPLANES", "VIEWS", "View", "ViewChoice",
    "CompiledPolicy", "CompiledRule", "CompiledTier", "Program", "Decision", "PolicyTrace",
    "RuleTrace", "SideVerdict", "TierTrace", "Verdict",
]
