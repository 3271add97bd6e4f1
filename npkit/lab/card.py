"""A lab's card, shown first like a notebook's `intro()`: what it covers, how long it takes, where it
runs, what that creates on this machine, and what the results will rest on.

What and how long come from the course map (npkit/data/course/notebooks.yaml, the entry whose
`file` is `labs/<lab id>-….ipynb`), so the course home and the card say the same thing; where it
runs comes from the session's backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Any

import yaml

from .backend import LabBackend
from .provenance import provenance
from .select import OPT_IN


@dataclass(frozen=True)
class LabCard:
    """What a learner should know before a lab starts; displays as text and HTML."""

    lab_id: str
    title: str
    minutes: int | None
    covers: tuple[str, ...]
    backend: str
    where: str  # the backend's one-line description
    rests_on: str  # provenance: who enforces what the lab observes
    changes: str  # what running it creates on this machine ("" for nothing)
    how_to_observe: str = ""  # when predicting: how to opt in to observing

    def lines(self) -> list[str]:
        length = f": about {self.minutes} minutes" if self.minutes else ""
        out = [f"{self.title}{length}"]
        if self.covers:
            out.append("What this covers: " + ", ".join(self.covers))
        out.append(f"Where it runs: {self.backend} — {self.where}")
        out.append(f"What the results rest on: {self.rests_on}")
        out.append("What it creates on this machine: " + (self.changes or "nothing"))
        if self.how_to_observe:
            out.append(self.how_to_observe[:1].upper() + self.how_to_observe[1:])
        return out

    def text(self) -> str:
        return "\n".join(self.lines())

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        first, *rest = self.lines()
        items = "".join(f"<li>{escape(line)}</li>" for line in rest)
        return (f'<div style="border-left:4px solid var(--jp-brand-color1, #0969da);padding:4px 10px">'
                f"<b>{escape(first)}</b><ul>{items}</ul></div>")


@lru_cache(maxsize=1)
def _course_labs() -> dict[str, dict[str, Any]]:
    """The course map's lab entries, by lab id (`lab-01` for `labs/lab-01-default-deny.ipynb`)."""
    course = resources.files("npkit").joinpath("data").joinpath("course")
    text = course.joinpath("notebooks.yaml").read_text(encoding="utf-8")
    out = {}
    for entry in (yaml.safe_load(text) or {}).values():
        file = str(entry.get("file", ""))
        if file.startswith("labs/"):
            out["-".join(file.removeprefix("labs/").split("-")[:2])] = entry
    return out


def lab_card(lab_id: str, backend: LabBackend, calico: bool | None = None) -> LabCard:
    """The card of lab `lab_id` (e.g. "lab-01") as it would run on `backend`; `calico`: whether the lab
    is about Calico objects (None: not known)."""
    entry = _course_labs().get(lab_id, {})
    rests_on = provenance(backend.name, backend.dataplane, observed=backend.observes, calico=calico).text
    return LabCard(lab_id, str(entry.get("title", f"Lab {lab_id}")), entry.get("minutes"),
                   tuple(str(c) for c in entry.get("covers", ())), backend.name, backend.describe(), rests_on,
                   backend.changes, "" if backend.observes else OPT_IN)
