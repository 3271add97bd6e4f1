"""Reachability matrices built from the engine, and their text rendering."""

from .matrix import Matrix, reachability, reachability_many
from .table import render_table, table_lines

__all__ = ["Matrix", "reachability", "reachability_many", "render_table", "table_lines"]
