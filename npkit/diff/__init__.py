"""Semantic differences between two sets of policies."""

from .compare import Change, Comparison, compare

__all__ = ["Change", "Comparison", "compare"]
