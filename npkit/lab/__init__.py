"""Labs: run scenarios for real on a backend, probe connectivity, compare with the engine."""

from .backend import LabBackend, LabError, ProbeRequest, ProbeResult, Progress, no_progress

__all__ = ["LabBackend", "LabError", "ProbeRequest", "ProbeResult", "Progress", "no_progress"]
