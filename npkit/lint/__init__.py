"""`npkit lint`: what is wrong with a set of policies, in words a learner can act on.

>>> from npkit.lint import lint, RULES
>>> sorted(RULES)[:3]
['NP001', 'NP101', 'NP102']

Each rule asks the engine (what selectors select, which connections a rule sees) and
yields findings with a rule id (`NP` + 3 digits, see registry.py), severity, object,
field path, line, message and fix. `lint(cluster)` returns `Findings`, a list that
renders as text (`print`), JSON (`.to_json()`) and an HTML table in notebooks.
The rules are listed with examples in docs/lint-rules.md.
"""

from .finding import SEVERITIES, Finding, Severity
from .registry import RULES, LintRule, resolve
from .render import findings_to_json, render_html, render_text, rules_table, summary_line
from .report import Findings
from .run import lint

__all__ = [
    "SEVERITIES", "Finding", "Severity", "RULES", "LintRule", "resolve", "findings_to_json", "render_html",
    "render_text", "rules_table", "summary_line", "Findings", "lint",
]
