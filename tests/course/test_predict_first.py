"""Predict first, for real: a learner who runs every cell sees no answer before committing to one.

What "states the answer" means here, concretely:

- Every prediction in a notebook or lab is a widget built by `question("KEY", …)`, `predict("KEY", …)`
  or `choice("KEY", …)` (npkit.course.questions), and KEY declares in
  `npkit/data/course/questions/<notebook>.yaml` its `answer`: the sentence that gives the answer away.
- That sentence (compared without case, Markdown emphasis, HTML tags or extra spaces) must not appear
  from the prediction's cell to the next heading: not in a Markdown cell, not in a visible code cell,
  not in any output, and not in any widget those cells display (their whole state after Run All).
- No visible code cell asserts anything: facts checked for CI live in cells tagged `check`, whose input
  is hidden and which print nothing.
- After Run All no reveal area (`npkit-reveal`) holds anything.
- A Markdown cell that asks the learner to predict is followed by a prediction widget before the next
  Markdown cell: no honor-system prompts.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from npkit.course.questions import all_words, notebook_of, words

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")) + sorted((ROOT / "labs").glob("lab-*.ipynb"))
CALL = re.compile(r"\b(question|predict|choice)\(\s*\"([A-Z0-9]+-[a-z0-9-]+)\"")
RAW_WIDGET = re.compile(r"(?<![\w.])(Question|Predict|Choice)\(")
PROMPT = re.compile(r"\*\*Predict\b|\bPredict:")  # the course's prompt to predict: **Predict** …
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _id(path: Path) -> str:
    return path.stem


def notebook_id(path: Path) -> str:
    """"03" for notebooks/03-peers-and-or.ipynb, "L2" for labs/lab-02-allow-frontend.ipynb."""
    return f"L{int(path.stem[4:6])}" if path.stem.startswith("lab-") else path.stem[:2]


def normal(text: str) -> str:
    """Text as a reader sees it: no tags, no Markdown emphasis, one space, lower case."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def source(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def hidden(cell) -> bool:
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def is_heading(cell) -> bool:
    return cell["cell_type"] == "markdown" and source(cell).lstrip().startswith("#")


def spans(cells) -> list[tuple[str, int, int]]:
    """(key, first cell, end cell exclusive) for every prediction: its cell up to the next heading."""
    out = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        for match in CALL.finditer(source(cell)):
            end = next((j for j in range(i + 1, len(cells)) if is_heading(cells[j])), len(cells))
            out.append((match.group(2), i, end))
    return out


def load(path: Path):
    return nbformat.read(path, as_version=4)


# -- static: the notebook text ---------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_every_prediction_declares_its_words_and_every_word_is_used(path):
    cells = load(path).cells
    keys = [k for k, _, _ in spans(cells)]
    assert len(keys) == len(set(keys)), f"a key is used twice in {path.name}"
    nb = notebook_id(path)
    for key in keys:
        assert notebook_of(key) == nb, f"{key} belongs to notebook {notebook_of(key)}, not {nb}"
        assert words(key).answer  # declared, with its answer in words
    declared = {w.key for w in all_words(nb)}
    assert declared == set(keys), f"declared but unused: {sorted(declared - set(keys))}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_predictions_are_widgets_with_words_never_bare(path):
    for cell in load(path).cells:
        if cell["cell_type"] == "code":
            assert not RAW_WIDGET.search(source(cell)), (
                f"{path.name}: build predictions with question()/predict()/choice() and a key, so their "
                f"answer is declared: {source(cell)[:120]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_every_predict_prompt_has_a_widget(path):
    cells = load(path).cells
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown" or not PROMPT.search(source(cell)):
            continue
        following = []
        for later in cells[i + 1:]:
            if later["cell_type"] == "markdown":
                break
            following.append(source(later))
        assert any(CALL.search(s) for s in following), (
            f"{path.name}: a prompt to predict with no prediction widget before the next Markdown cell: "
            f"{source(cell)[:160]!r}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_facts_for_ci_are_hidden_check_cells(path):
    for cell in load(path).cells:
        if cell["cell_type"] != "code":
            continue
        text = source(cell)
        checks = "check" in cell.get("metadata", {}).get("tags", ())
        if re.search(r"^\s*assert\b", text, re.M):
            assert checks and hidden(cell), f"{path.name}: an assert in a visible cell: {text[:120]!r}"
        if checks:
            assert hidden(cell)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_no_markdown_or_visible_code_states_an_answer_before_its_reveal(path):
    cells = load(path).cells
    for key, start, end in spans(cells):
        answer = normal(words(key).answer)
        for cell in cells[start:end]:
            if cell["cell_type"] == "code" and hidden(cell):
                continue
            assert answer not in normal(source(cell)), f"{key}: its answer is in the text after it: {source(cell)[:200]!r}"


def test_the_answer_words_are_long_enough_to_mean_something():
    for path in sorted((ROOT / "npkit" / "data" / "course" / "questions").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, entry in raw.items():
            assert len(normal(entry["answer"]).split()) >= 3, f"{path.name}: {name}: say the answer in a sentence"
            assert normal(entry["answer"]) not in normal(entry.get("prompt", "")), f"{path.name}: {name}"


# -- executed: what Run All shows ------------------------------------------------------------
_RUNS: dict[Path, nbformat.NotebookNode] = {}


def run(path: Path) -> nbformat.NotebookNode:
    """The notebook after Run All in a fresh kernel, with its widgets' state (cached per test run)."""
    if path not in _RUNS:
        nb = load(path)
        NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        _RUNS[path] = nb
    return _RUNS[path]


def widget_states(nb) -> dict[str, dict]:
    store = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return {k: v.get("state", {}) for k, v in store.get("state", {}).items()}


def reachable(model_id: str, states: dict[str, dict]) -> list[dict]:
    """A widget's state and the states of every widget it refers to (children, outputs …)."""
    seen, todo, out = set(), [model_id], []
    while todo:
        current = todo.pop()
        if current in seen or current not in states:
            continue
        seen.add(current)
        out.append(states[current])
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(states[current]))
    return out


def visible_text(cell, states: dict[str, dict]) -> str:
    """Everything a code cell shows: its input unless hidden, its outputs, its widgets' state."""
    parts = [] if hidden(cell) else [source(cell)]
    for output in cell.get("outputs", ()):
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts += [str(data.get(m, "")) for m in ("text/plain", "text/html", "text/markdown")]
        if WIDGET_VIEW in data:
            parts += [json.dumps(s, ensure_ascii=False) for s in reachable(data[WIDGET_VIEW]["model_id"], states)]
    return "\n".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_run_all_shows_no_answer_and_opens_no_reveal(path):
    nb = run(path)
    states = widget_states(nb)
    for key, start, end in spans(nb.cells):
        answer = normal(words(key).answer)
        for cell in nb.cells[start:end]:
            shown = normal(visible_text(cell, states) if cell["cell_type"] == "code" else source(cell))
            assert answer not in shown, f"{key}: after Run All its answer is on screen in cell {source(cell)[:120]!r}"
    for model_id, state in states.items():
        if "npkit-reveal" in state.get("_dom_classes", ()):
            assert not state.get("outputs"), f"a reveal is open after Run All ({model_id})"
    for cell in nb.cells:
        if "check" in cell.get("metadata", {}).get("tags", ()):
            assert not cell.get("outputs"), f"a check cell printed something: {source(cell)[:120]!r}"
