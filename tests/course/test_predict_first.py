"""Predict first, for real: a learner who runs every cell sees no answer before committing to one.

Both editions are checked, the English one with the English words and the zh-CN one with the
Chinese words of its catalogs. What "shows the answer" means here, concretely:

- Every prediction in a notebook or lab is a widget built by `question("KEY", …)`, `predict("KEY", …)`
  or `choice("KEY", …)` (npkit.course.questions), and KEY declares in
  `npkit/data/course/questions/<notebook>.yaml` its `answer`: the sentence that gives the answer away
  (its Chinese in the notebook's catalog `course-NN`).
- A prediction's **span** runs from its cell to the end of its section: the next heading of the same
  or a higher level (a subsection such as "### Probe it" belongs to the section above it), or the next
  prediction, whichever comes first. Headings inside a cell count where they stand.
- The answer sentence (compared without case, Markdown emphasis, HTML tags or spacing; in Chinese
  without any spaces) appears nowhere from the top of the notebook to the end of the span: not in a
  Markdown cell, not in a visible code cell, not in any output (intro cards included), and not in any
  widget those cells display (their whole state after Run All).
- No visible output in a span is an **engine result**: a matrix, a verdict, a list of connections, a
  port table, a comparison of two policy sets, a lint report, a lab's predicted/observed comparison,
  a playground or a selector lab. They are recognised by what they are, not by their text: the
  kernel that runs the notebook tags every displayed or printed object of those npkit classes with
  a marker mime type, and every displayed widget tree that holds npkit's matrix widget (outside the
  prediction widget itself). Results the learner should see after answering go into the prediction's
  `more=` (its reveal).
- No heading the prediction sits under (the notebook's title, its section, its subsection) nor any
  heading inside its span contains the answer: neither the answer sentence nor a word that states an
  outcome (breaks, refuses, denied, 断了, 被拒绝 …; see OUTCOME_WORDS), outside inline code.
- No visible code cell asserts anything: facts checked for CI live in cells tagged `check`, whose input
  is hidden and which print nothing.
- After Run All no reveal area (`npkit-reveal`) holds anything, and every widget that waits for an answer
  (`AfterAnswer`, e.g. 01's part-by-part toggles, which show the whole policy's matrix) shows only its note.
- A Markdown cell that asks the learner to predict (`**Predict**`, `预测：`) is followed by a prediction
  widget before the next Markdown cell: no honor-system prompts.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from npkit.course.questions import all_words, notebook_of, words
from npkit.i18n import language

ROOT = Path(__file__).resolve().parents[2]
EN, ZH = "en", "zh-CN"


def _editions() -> list[tuple[Path, str]]:
    out = []
    for lang, sub in ((EN, ""), (ZH, "zh-CN/")):
        out += [(p, lang) for p in sorted((ROOT / "notebooks" / sub).glob("[0-9][0-9]-*.ipynb"))]
        out += [(p, lang) for p in sorted((ROOT / "labs" / sub).glob("lab-*.ipynb"))]
    return out


NOTEBOOKS = _editions()
CALL = re.compile(r"\b(question|predict|choice)\(\s*\"([A-Z0-9]+-[a-z0-9-]+)\"")
RAW_WIDGET = re.compile(r"(?<![\w.])(Question|Predict|Choice)\(")
# The course's prompt to predict: **Predict** … / **Predict:** …, and in Chinese **预测：** (the intros'
# "先**预测**……" is not a prompt).
PROMPT = {EN: re.compile(r"\*\*Predict\b|\bPredict:"), ZH: re.compile(r"预测：")}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RESULT_MIME = "application/vnd.npkit.test-result+json"  # what the test's kernel hook adds to engine results
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
PREDICTION_CLASSES = {"npkit-predict", "npkit-question", "npkit-choice"}
RESULT_WIDGET_CLASSES = {"npkit-playground", "npkit-selector-lab", "npkit-toggles"}
# Words that state an outcome. A heading before a reveal may name the topic ("## default-deny-egress",
# "### Apply and probe"), never what happens ("## DNS breaks", "Why backend refuses TCP 80").
OUTCOME_WORDS = {
    EN: re.compile(r"\b(allowed|denied|refused|refuses|blocked|blocks|dropped|drops|breaks|broken|fails|failed|"
                   r"works|survives|cuts|ignores|ignored|wins|loses|wrong|reaches|unreachable|takes? away)\b", re.I),
    ZH: re.compile(r"断了|失效|中断|被拒绝|拒绝连接|被允许|被丢弃|丢弃|阻断|失败|不通|连不上|无法访问|不能访问|访问不到|"
                   r"忽略|错的|错在|不对|获胜|切断|带来减少"),
}

# The kernel-side marker: run before the notebook's own cells, it tags every engine result the
# notebook displays or prints, by class (text never decides).
KERNEL_HOOK = f"""\
def _npkit_predict_first_hook():
    import builtins
    import functools
    import sys

    import traitlets
    from IPython import get_ipython
    from IPython.core.formatters import BaseFormatter
    from IPython.display import publish_display_data
    from npkit.diff import Comparison
    from npkit.engine import Verdict
    from npkit.lab.compare import LabComparison
    from npkit.lab.session import LabSession
    from npkit.lint import Findings
    from npkit.matrix import Matrix
    from npkit.widgets import (ChangesView, ConnectionsView, MatrixView, Playground, PolicyToggles, PortTable,
                               SelectorLab, VerdictView)
    import npkit.course, npkit.course.review  # noqa: F401  (bind their imports before the text is tagged)

    class EngineText(str):
        \"\"\"Text an engine result rendered (an explanation, a table, a summary).\"\"\"

    def tagged(function):
        @functools.wraps(function)
        def tagging(*args, **kwargs):
            out = function(*args, **kwargs)
            return EngineText(out) if isinstance(out, str) else out
        return tagging

    for cls, names in ((PortTable, ("explain",)), (LabSession, ("explain",)), (Comparison, ("summary",)),
                       (LabComparison, ("explain", "summary", "render_text", "__str__")),
                       (Findings, ("summary", "__str__"))):
        for name in names:
            if name in vars(cls):
                setattr(cls, name, tagged(vars(cls)[name]))
    renderers = ("render_verdict", "render_side", "render_comparison", "render_change", "render_table",
                 "matrix_text")
    for module in [m for n, m in sys.modules.items() if n.startswith("npkit")]:
        for name in renderers:
            function = getattr(module, name, None)
            if callable(function) and getattr(function, "__module__", "").startswith("npkit"):
                setattr(module, name, tagged(function))
    results = (Comparison, Verdict, LabComparison, Findings, Matrix, ChangesView, ConnectionsView, MatrixView,
               Playground, PolicyToggles, PortTable, SelectorLab, VerdictView)

    class ResultFormatter(BaseFormatter):
        format_type = traitlets.Unicode({RESULT_MIME!r})
        print_method = traitlets.ObjectName("_npkit_test_result_")
        _return_type = dict

    shell = get_ipython()
    formatter = ResultFormatter(parent=shell.display_formatter)
    for cls in results + (EngineText,):
        formatter.for_type(cls, lambda obj: {{"shown": type(obj).__name__}})
    shell.display_formatter.formatters[formatter.format_type] = formatter
    real_print = builtins.print

    def marked_print(*args, **kwargs):
        real_print(*args, **kwargs)
        printed = [type(a).__name__ for a in args if isinstance(a, results + (EngineText,))]
        if printed:
            publish_display_data({{{RESULT_MIME!r}: {{"printed": printed}}, "text/plain": ""}})

    builtins.print = marked_print


_npkit_predict_first_hook()
del _npkit_predict_first_hook
"""


def _id(case: tuple[Path, str]) -> str:
    path, lang = case
    return f"{lang}-{path.stem}"


def notebook_id(path: Path) -> str:
    """"03" for notebooks/03-peers-and-or.ipynb, "L2" for labs/lab-02-allow-frontend.ipynb (either edition)."""
    return f"L{int(path.stem[4:6])}" if path.stem.startswith("lab-") else path.stem[:2]


def answer(key: str, lang: str) -> str:
    """A prediction's answer sentence in the edition's language."""
    if lang == EN:
        return words(key).answer
    with language("zh_CN"):
        return words(key).answer


def normal(text: str, lang: str = EN) -> str:
    """Text as a reader sees it: no tags, no Markdown emphasis, lower case, one space (none in Chinese,
    where spacing between Chinese and Latin letters varies), full-width forms folded."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " " if lang == EN else "", text).strip().lower()


def units(text: str) -> int:
    """How much a Chinese sentence says: Chinese characters, plus Latin words and numbers."""
    return len(re.findall(r"[\u4e00-\u9fff]|[A-Za-z0-9][\w./:-]*", text))


def source(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def hidden(cell) -> bool:
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def load(path: Path):
    return nbformat.read(path, as_version=4)


# -- the structure: headings, predictions, spans -----------------------------------------------
@dataclass(frozen=True)
class Item:
    """A piece of a notebook in reading order: a heading, a run of prose, or a code cell."""

    cell: int
    kind: str  # "heading", "prose" or "code"
    text: str
    level: int = 0  # a heading's level


def items(cells) -> list[Item]:
    """Every heading and run of prose (outside fenced code) and every code cell, in order."""
    out: list[Item] = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            out.append(Item(i, "code", source(cell)))
            continue
        fence, prose = False, []
        for line in source(cell).splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fence = not fence
            match = None if fence else HEADING.match(line)
            if match:
                if "".join(prose).strip():
                    out.append(Item(i, "prose", "\n".join(prose)))
                prose = []
                out.append(Item(i, "heading", match.group(2), len(match.group(1))))
            else:
                prose.append(line)
        if "".join(prose).strip():
            out.append(Item(i, "prose", "\n".join(prose)))
    return out


@dataclass(frozen=True)
class Span:
    key: str
    start: int  # index into items(): the prediction's code cell
    end: int  # exclusive: the heading or prediction that ends its section
    titles: tuple[int, ...]  # the headings the prediction sits under (its title, section, subsection)


def spans(cells) -> list[Span]:
    """Every prediction with its span (see the module's docstring)."""
    parts = items(cells)
    out, outline = [], []
    for k, item in enumerate(parts):
        if item.kind == "heading":
            outline = [h for h in outline if parts[h].level < item.level] + [k]
        if item.kind != "code":
            continue
        for match in CALL.finditer(item.text):
            level = parts[outline[-1]].level if outline else 0
            end = next((j for j in range(k + 1, len(parts))
                        if (parts[j].kind == "heading" and level and parts[j].level <= level)
                        or (parts[j].kind == "code" and CALL.search(parts[j].text))), len(parts))
            out.append(Span(match.group(2), k, end, tuple(outline)))
    return out


def visible_items(cells, until: int) -> Iterator[Item]:
    """Items before `until` that the learner can read (hidden code cells left out)."""
    for item in items(cells)[:until]:
        if item.kind != "code" or not hidden(cells[item.cell]):
            yield item


# -- static: the notebook text -----------------------------------------------------------------
@pytest.mark.parametrize("case", NOTEBOOKS, ids=_id)
def test_every_prediction_declares_its_words_and_every_word_is_used(case):
    path, lang = case
    cells = load(path).cells
    keys = [s.key for s in spans(cells)]
    assert len(keys) == len(set(keys)), f"a key is used twice in {path.name}"
    nb = notebook_id(path)
    for key in keys:
        assert notebook_of(key) == nb, f"{key} belongs to notebook {notebook_of(key)}, not {nb}"
        assert answer(key, lang)  # declared, with its answer in words
    declared = {w.key for w in all_words(nb)}
    assert declared == set(keys), f"declared but unused: {sorted(declared - set(keys))}"


@pytest.mark.parametrize("case", NOTEBOOKS, ids=_id)
def test_predictions_are_widgets_with_words_never_bare(case):
    path, _ = case
    for cell in load(path).cells:
        if cell["cell_type"] == "code":
            assert not RAW_WIDGET.search(source(cell)), (
                f"{path.name}: build predictions with question()/predict()/choice() and a key, so their "
                f"answer is declared: {source(cell)[:120]}")


@pytest.mark.parametrize("case", NOTEBOOKS, ids=_id)
def test_every_predict_prompt_has_a_widget(case):
    path, lang = case
    cells = load(path).cells
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown" or not PROMPT[lang].search(source(cell)):
            continue
        following = []
        for later in cells[i + 1:]:
            if later["cell_type"] == "markdown":
                break
            following.append(source(later))
        assert any(CALL.search(s) for s in following), (
            f"{path.name}: a prompt to predict with no prediction widget before the next Markdown cell: "
            f"{source(cell)[:160]!r}")


@pytest.mark.parametrize("case", NOTEBOOKS, ids=_id)
def test_facts_for_ci_are_hidden_check_cells(case):
    path, _ = case
    for cell in load(path).cells:
        if cell["cell_type"] != "code":
            continue
        text = source(cell)
        checks = "check" in cell.get("metadata", {}).get("tags", ())
        if re.search(r"^\s*assert\b", text, re.M):
            assert checks and hidden(cell), f"{path.name}: an assert in a visible cell: {text[:120]!r}"
        if checks:
            assert hidden(cell)


@pytest.mark.parametrize("case", NOTEBOOKS, ids=_id)
def test_no_text_states_an_answer_before_its_reveal(case):
    """Markdown and visible code, from the top of the notebook to the end of each prediction's span."""
    path, lang = case
    cells, problems = load(path).cells, []
    for span in spans(cells):
        said = normal(answer(span.key, lang), lang)
        problems += [f"{span.key}: its answer is on screen before its reveal: {item.text[:200]!r}"
                     for item in visible_items(cells, span.end) if said in normal(item.text, lang)]
    assert not problems, "\n".join(problems)


def outcome_in(heading: str, lang: str) -> str | None:
    """The outcome word a heading states (inline code left out), if any."""
    match = OUTCOME_WORDS[lang].search(re.sub(r"`[^`]*`", " ", heading))
    return match.group(0) if match else None


@pytest.mark.parametrize("case", NOTEBOOKS, ids=_id)
def test_no_heading_gives_an_answer_away(case):
    """The headings a prediction sits under (title, section, subsection) and those inside its span:
    no answer, no outcome word."""
    path, lang = case
    cells = load(path).cells
    parts, problems = items(cells), []
    for span in spans(cells):
        said = normal(answer(span.key, lang), lang)
        inside = [p for p in parts[span.start:span.end] if p.kind == "heading"]
        for item in [parts[h] for h in span.titles] + inside:
            if said in normal(item.text, lang):
                problems.append(f"{span.key}: the heading {item.text!r} gives its answer")
            word = outcome_in(item.text, lang)
            if word is not None:
                problems.append(f"{span.key}: the heading {item.text!r} states an outcome ({word!r}) before the reveal")
    assert not problems, "\n".join(problems)


def test_the_answer_words_are_long_enough_to_mean_something():
    for path in sorted((ROOT / "npkit" / "data" / "course" / "questions").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, entry in raw.items():
            assert len(normal(entry["answer"]).split()) >= 3, f"{path.name}: {name}: say the answer in a sentence"
            assert normal(entry["answer"]) not in normal(entry.get("prompt", "")), f"{path.name}: {name}"


def test_the_chinese_answers_are_translated_and_specific_enough():
    """The zh-CN edition is searched for the Chinese answer: it must be Chinese, and say something."""
    for path in sorted((ROOT / "npkit" / "data" / "course" / "questions").glob("*.yaml")):
        for w in all_words(path.stem):
            zh = answer(w.key, ZH)
            assert zh != w.answer and re.search(r"[\u4e00-\u9fff]", zh), f"{w.key}: no Chinese answer in the catalog"
            assert units(zh) >= 4, f"{w.key}: say the Chinese answer in a sentence: {zh!r}"
            with language("zh_CN"):
                prompt = words(w.key).prompt
            assert normal(zh, ZH) not in normal(prompt, ZH), f"{w.key}: the Chinese prompt holds the answer"


# -- executed: what Run All shows --------------------------------------------------------------
_RUNS: dict[Path, nbformat.NotebookNode] = {}


def run(path: Path) -> nbformat.NotebookNode:
    """The notebook after Run All in a fresh kernel, with its widgets' state and the result markers
    (cached per test run). The marker hook runs first, in a cell removed again afterwards."""
    if path not in _RUNS:
        nb = load(path)
        nb.cells.insert(0, nbformat.v4.new_code_cell(KERNEL_HOOK))
        NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        hook = nb.cells.pop(0)
        assert not hook.get("outputs"), f"the test's kernel hook failed: {hook.get('outputs')}"
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


def engine_results(cell, states: dict[str, dict]) -> list[str]:
    """The engine results a code cell shows, by what they are: marked npkit objects, and widget trees
    holding npkit's matrix (or a playground, selector lab, policy toggles) that are not predictions."""
    found = []
    for output in cell.get("outputs", ()):
        data = output.get("data", {})
        if RESULT_MIME in data:
            marker = data[RESULT_MIME]
            found.append(marker.get("shown") or "printed " + ", ".join(marker.get("printed", ())))
        elif WIDGET_VIEW in data:
            tree = reachable(data[WIDGET_VIEW]["model_id"], states)
            classes = {c for s in tree for c in s.get("_dom_classes", ())}
            if classes & PREDICTION_CLASSES:
                continue
            if any(s.get("_kind") == "matrix" for s in tree) or classes & RESULT_WIDGET_CLASSES:
                found.append("a matrix widget" + (f" ({', '.join(sorted(classes & RESULT_WIDGET_CLASSES))})"
                                                  if classes & RESULT_WIDGET_CLASSES else ""))
    return found


@pytest.mark.parametrize("case", NOTEBOOKS, ids=_id)
def test_run_all_shows_no_answer_and_opens_no_reveal(case):
    path, lang = case
    nb = run(path)
    states = widget_states(nb)
    parts = items(nb.cells)
    for span in spans(nb.cells):
        said = normal(answer(span.key, lang), lang)
        shown_cells = sorted({p.cell for p in parts[:span.end]})
        for i in shown_cells:
            cell = nb.cells[i]
            shown = visible_text(cell, states) if cell["cell_type"] == "code" else source(cell)
            assert said not in normal(shown, lang), (
                f"{span.key}: after Run All its answer is on screen before its reveal, in {source(cell)[:120]!r}")
    for model_id, state in states.items():
        if "npkit-reveal" in state.get("_dom_classes", ()):
            assert not state.get("outputs"), f"a reveal is open after Run All ({model_id})"
        if "npkit-after-answer" in state.get("_dom_classes", ()):  # AfterAnswer: only its note until answered
            assert len(state.get("children", ())) == 1 and "npkit-after-answer-note" in states[
                state["children"][0].removeprefix("IPY_MODEL_")].get("_dom_classes", ()), (
                f"a widget waiting for an answer is open after Run All ({model_id})")
    for cell in nb.cells:
        if "check" in cell.get("metadata", {}).get("tags", ()):
            assert not cell.get("outputs"), f"a check cell printed something: {source(cell)[:120]!r}"


@pytest.mark.parametrize("case", NOTEBOOKS, ids=_id)
def test_run_all_shows_no_engine_result_before_a_reveal(case):
    """Between a prediction and the end of its section, no visible output is a matrix, verdict,
    connection list, port table, comparison, lint report or lab comparison: those belong in `more=`."""
    path, _ = case
    nb = run(path)
    states = widget_states(nb)
    parts = items(nb.cells)
    problems = []
    for span in spans(nb.cells):
        for i in sorted({p.cell for p in parts[span.start:span.end] if p.kind == "code"}):
            for result in engine_results(nb.cells[i], states):
                problems.append(f"{span.key}: {result} on screen before the reveal, from {source(nb.cells[i])[:100]!r}")
    assert not problems, "\n".join(problems)
