"""Rendering verdicts: text for people, JSON for tools."""

from .json import side_to_json, verdict_to_json
from .text import render_side, render_verdict

__all__ = ["render_side", "render_verdict", "side_to_json", "verdict_to_json"]
