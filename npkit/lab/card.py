"""A lab's card, shown first like a notebook's `intro()`: what it covers, how long it takes, where it
runs, what that creates on this machine, and what the results will rest on.

What and how long come from the course map (npkit/data/course/notebooks.yaml, the entry whose
`file` is `labs/<lab id>-….ipynb`), so the course home and the card say the same thing, in the current
language (the lab's catalog `course-L<n>`, looked up through npkit.i18n: this layer does not import
npkit.course); where it runs comes from the session's backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Any

import yaml

from ..i18n import messages, translate
from .backend import LabBackend
from .provenance import provenance
from .select import how_to_observe

_, pgettext = messages("npkit-tools").gettext, messages("npkit-tools").pgettext


@dataclass(frozen=True)
class LabCard:
    """What a learner should know before a lab starts; displays as text and HTML (its texts are in the
    language of the moment it was made: `lab_card`)."""

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
        out = [_("{title}: about {minutes} minutes").format(title=self.title, minutes=self.minutes)
               if self.minutes else self.title]
        if self.covers:
            # Translators: the separator of the card's topics, phrases that may hold commas themselves
            out.append(_("What this covers: {topics}").format(topics=pgettext("topics", ", ").join(self.covers)))
        out.append(_("Where it runs: {backend} — {description}").format(backend=self.backend, description=self.where))
        out.append(_("What the results rest on: {provenance}").format(provenance=self.rests_on))
        out.append(_("What it creates on this machine: {changes}").format(changes=self.changes) if self.changes
                   else _("What it creates on this machine: nothing"))
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
def _course_labs() -> dict[str, tuple[str, dict[str, Any]]]:
    """The course map's lab entries with their keys, by lab id (`lab-01` → ("L1", the entry) for
    `labs/lab-01-default-deny.ipynb`)."""
    course = resources.files("npkit").joinpath("data").joinpath("course")
    text = course.joinpath("notebooks.yaml").read_text(encoding="utf-8")
    out = {}
    for key, entry in (yaml.safe_load(text) or {}).items():
        file = str(entry.get("file", ""))
        if file.startswith("labs/"):
            out["-".join(file.removeprefix("labs/").split("-")[:2])] = (str(key), entry)
    return out


def lab_card(lab_id: str, backend: LabBackend, calico: bool | None = None) -> LabCard:
    """The card of lab `lab_id` (e.g. "lab-01") as it would run on `backend`, in the current language;
    `calico`: whether the lab is about Calico objects (None: not known)."""
    key, entry = _course_labs().get(lab_id, ("", {}))
    domain = f"course-{key}"  # the lab's catalog: its card's words (tools/messages.py extracts them)
    title = translate(domain, str(entry["title"])) if "title" in entry else _("Lab {lab_id}").format(lab_id=lab_id)
    covers = tuple(translate(domain, str(c)) for c in entry.get("covers", ()))
    rests_on = provenance(backend.name, backend.dataplane, observed=backend.observes, calico=calico).translated
    changes = _(backend.changes) if backend.changes else ""
    return LabCard(lab_id, title, entry.get("minutes"), covers, backend.name, backend.describe(), rests_on, changes,
                   "" if backend.observes else how_to_observe())
