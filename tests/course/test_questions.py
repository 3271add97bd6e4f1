"""The words of the course's predictions: declared once, by key, and used to build the widgets."""

from __future__ import annotations

import pytest

from npkit.course import model_cluster
from npkit.course.questions import all_words, choice, question, words
from npkit.widgets import memory


@pytest.fixture(autouse=True)
def fresh_memory():
    """Answers here go to a memory of their own, never to a progress file."""
    previous = memory.use(memory.InMemory())
    yield
    memory.use(previous)


def test_a_key_names_its_notebook_and_its_file():
    w = words("00-first-policy-y-a")
    assert w.answer and w.reveal
    with pytest.raises(KeyError, match="questions/00.yaml"):
        words("00-no-such-question")


def test_a_question_carries_its_words_into_the_reveal():
    q = question("00-first-policy-y-a", model_cluster("and-or"), "y/a", "x/a", 80)
    q.allowed_button.click()
    shown = " ".join(str(v) for o in q.reveal_area.widget.outputs for v in o["data"].values())
    assert words("00-first-policy-y-a").reveal.splitlines()[0] in shown


def test_a_choice_about_a_fact_takes_its_right_option_from_the_data():
    c = choice("09-ebpf", ["the same cali-tw-… chains as above", "nothing: policy runs in BPF programs",
                           "the chains, but empty"])
    c.buttons["nothing: policy runs in BPF programs"].click()
    assert "Right" in c.result.value


def test_every_declared_prediction_has_an_answer_sentence_and_a_reveal():
    for nb in ("00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "L1", "L2", "L3", "L4"):
        declared = all_words(nb)
        assert declared, nb
        for w in declared:
            assert w.answer.strip() and w.reveal.strip(), w.key
