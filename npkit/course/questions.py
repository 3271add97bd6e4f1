"""The course's predictions: every Question, Predict and Choice a notebook or lab asks, by key.

A notebook cell asks with a key and the engine the question is about:

    question("01-podselector-empty", engine, "x/a", "default/api", 80)
    predict("01-example", with_example, 80, pods=["default/api", "default/web", "x/a"])
    choice("02-how-many", ["none", "one", "two"], correct=str(len(pods)))

The words live in `npkit/data/course/questions/<notebook>.yaml`, one entry per key:

    podselector-empty:
      prompt: Can x/a still reach default/api on TCP 80?      # optional for question / predict
      answer: x/a can no longer reach default/api               # the answer in words (see below)
      reveal: |                                                 # Markdown, shown after the answer
        **Denied.** …
      labels: [none, one, two]                                  # a choice's options shown translated

`labels` declares that a choice's options (written in the notebook's code, in English) are words
to show in the learner's language: the notebook's catalog (course-<notebook>) translates each.

`answer` is the sentence that gives the answer away: the tests fail when it appears in a
Markdown cell or a visible output between the question and the end of its section, so the
explanation stays inside the widget's reveal. The truth itself always comes from the engine
(or, for a Choice, from what the notebook computes), never from the words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from importlib.abc import Traversable

import yaml

from ..engine import Engine
from ..i18n import messages, translate
from ..model import Cluster
from ..widgets.choice import Choice
from ..widgets.predict import Predict, Question
from ..widgets.reveal import More

_ = messages("npkit-ui").gettext


@dataclass(frozen=True)
class Words:
    """What a prediction says: its prompt (optional), its answer in words, and its reveal (Markdown)."""

    key: str
    answer: str
    reveal: str
    prompt: str = ""
    correct: tuple[str, ...] = ()  # for a Choice about a fact no engine computes (e.g. what eBPF mode lists)
    labels: tuple[str, ...] = ()  # a Choice's options, in English, that are shown translated


def _folder() -> Traversable:
    return resources.files("npkit").joinpath("data").joinpath("course").joinpath("questions")


def notebook_of(key: str) -> str:
    """The notebook a key belongs to: its prefix before the first "-" ("01", "L2")."""
    return key.split("-", 1)[0]


@cache
def _file(notebook: str) -> dict[str, Words]:
    path = _folder().joinpath(f"{notebook}.yaml")
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = {}
    for name, entry in raw.items():
        key = f"{notebook}-{name}"
        missing = [f for f in ("answer", "reveal") if not str((entry or {}).get(f, "")).strip()]
        if missing:
            template = (_("questions/{notebook}.yaml: {name}: needs answer and reveal") if len(missing) > 1 else
                        _("questions/{notebook}.yaml: {name}: needs {field}"))
            raise ValueError(template.format(notebook=notebook, name=name, field=missing[0]))
        correct = entry.get("correct") or ()
        out[key] = Words(key, str(entry["answer"]).strip(), str(entry["reveal"]).strip(),
                         str(entry.get("prompt", "")).strip(),
                         (correct,) if isinstance(correct, str) else tuple(str(c) for c in correct),
                         tuple(str(label).strip() for label in entry.get("labels") or ()))
    return out


def words(key: str) -> Words:
    """The words for one prediction; KeyError names the file to add them to."""
    table = _file(notebook_of(key))
    if key not in table:
        raise KeyError(_("no prediction {key!r}: add it to npkit/data/course/questions/{notebook}.yaml").format(
            key=key, notebook=notebook_of(key)))
    return _in_language(table[key])


def all_words(notebook: str) -> tuple[Words, ...]:
    """Every prediction declared for a notebook, in file order."""
    return tuple(_in_language(w) for w in _file(notebook).values())


def _in_language(w: Words) -> Words:
    """The words in the current language: the notebook's catalog (domain course-<notebook>) has them."""
    domain = f"course-{notebook_of(w.key)}"
    return replace(w, answer=translate(domain, w.answer), reveal=translate(domain, w.reveal),
                   prompt=translate(domain, w.prompt))


def question(key: str, source: Cluster | Engine, src: str, dst: str, port: int | None = 80,
             protocol: str = "TCP", dataplane: str = "calico", more: More | None = None) -> Question:
    """A Question about one connection, with its words from the course data; `more()` is shown in
    the reveal too (e.g. `lambda: show_matrix(...)`), built only once the learner has answered."""
    w = words(key)
    return Question(source, src, dst, port, protocol, dataplane, prompt=w.prompt, reveal=w.reveal, key=key,
                    more=more)


def predict(key: str, source: Cluster | Engine, port: int | None = 80, protocol: str = "TCP",
            pods: Sequence[str] | None = None, dataplane: str = "calico", more: More | None = None) -> Predict:
    """A Predict matrix, with its words from the course data (and `more()` in the reveal)."""
    w = words(key)
    return Predict(source, port, protocol, pods, dataplane, prompt=w.prompt, reveal=w.reveal, key=key, more=more)


def choice(key: str, options: Sequence[str], correct: str | Iterable[str] | None = None, multiple: bool = False,
           more: More | None = None) -> Choice:
    """A multiple-choice prediction, with its words. The right option(s) are what the notebook
    computed from the engine; for a fact no engine computes (what a dataplane lists, what a
    command prints), leave `correct` out and declare it in the data (`correct:`), so it never
    appears in the notebook."""
    w = words(key)
    if not w.prompt:
        raise ValueError(_("{key}: a choice needs a prompt in questions/{notebook}.yaml").format(
            key=key, notebook=notebook_of(key)))
    if correct is None:
        if not w.correct:
            raise ValueError(_("{key}: no right option: compute it, or declare `correct:` in the data").format(key=key))
        correct = w.correct
    return Choice(w.prompt, options, correct, multiple, reveal=w.reveal, key=key, more=more,
                  labels=option_labels(key, options))


def option_labels(key: str, options: Sequence[str]) -> dict[str, str]:
    """What a choice's buttons say: each option declared in the question's `labels`, in the current language.

    The declaration must name exactly the options the notebook offers, so a renamed option cannot silently
    show untranslated."""
    declared = _file(notebook_of(key))[key].labels
    if not declared:
        return {}
    offered = [str(o) for o in options]
    if sorted(offered) != sorted(declared):
        raise ValueError(_("{key}: the options {options} are not the labels declared in questions/{notebook}.yaml: "
                           "{labels}").format(key=key, options=offered, labels=list(declared),
                                              notebook=notebook_of(key)))
    domain = f"course-{notebook_of(key)}"
    return {o: translate(domain, o) for o in offered}
