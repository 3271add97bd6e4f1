"""The one exception the Calico selector parser raises (defined with the others in npkit.errors)."""

from __future__ import annotations

from ...errors import SelectorSyntaxError

__all__ = ["SelectorSyntaxError"]
