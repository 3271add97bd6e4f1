"""Pure evaluation: no I/O, no printing. `Engine` is the entry point."""

from .criteria import PortSpan, ProgramCriteria
from .engine import Engine
from .probe import Endpoint, Probe, Traffic, protocol_name, protocol_number
from .program import DATAPLANES, CompiledPolicy, CompiledRule, CompiledTier, Program
from .verdict import Decision, PolicyTrace, RuleTrace, SideVerdict, TierTrace, Verdict

__all__ = [
    "Engine", "PortSpan", "ProgramCriteria", "Endpoint", "Probe", "Traffic", "protocol_name", "protocol_number",
    "DATAPLANES",
    "CompiledPolicy", "CompiledRule", "CompiledTier", "Program", "Decision", "PolicyTrace",
    "RuleTrace", "SideVerdict", "TierTrace", "Verdict",
]
