"""YAML reading: syntax errors with positions, duplicate keys, only plain data, and hostile
input (alias bombs, absurd nesting, huge files) refused quickly."""

from __future__ import annotations

import pytest
import yaml

from npkit.loading import load_string, yamlio
from npkit.model import InputError


@pytest.fixture(autouse=True, params=["libyaml", "pure-python"])
def parser(request, monkeypatch):
    """Run every test with libyaml's parser and with PyYAML's pure Python fallback."""
    if request.param == "pure-python":
        from yaml import events

        monkeypatch.setattr(yamlio, "_pyyaml", lambda: (yaml, events, yaml.SafeLoader))
    elif not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML was built without libyaml")
    return request.param


NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n"


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def single_error(text: str):
    with pytest.raises(InputError) as info:
        load_string(text, "in.yaml")
    [error] = info.value.errors
    return error


def test_billion_laughs_is_refused_before_it_expands():
    # How fast and in how little memory: benchmarks/bench_loading.py.
    text = NAMESPACE + "---\n" + billion_laughs()
    error = single_error(text)
    assert "aliases expand to more than" in error.message
    assert error.origin.line > 5  # the alias that crossed the limit, not the top of the file


def test_a_few_aliases_are_fine():
    text = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: a
    labels: &labels {app: web}
  spec:
    containers:
    - &container {name: c, image: nginx, ports: [{containerPort: 80}]}
- apiVersion: v1
  kind: Pod
  metadata:
    name: b
    labels: *labels
  spec:
    containers: [*container]
"""
    cluster = load_string(text)
    assert [p.labels for p in cluster.pods] == [{"app": "web"}, {"app": "web"}]
    assert cluster.pods[1].ports == cluster.pods[0].ports


def test_anchors_do_not_cross_documents():
    error = single_error(NAMESPACE + "  labels: {a: &x b}\n---\n" + NAMESPACE + "  labels: {a: *x}\n")
    assert "no anchor &x" in error.message
    assert error.origin.line == 11


@pytest.mark.parametrize("text", [
    "[" * 5000 + "]" * 5000,
    "- " * 5000 + "x\n",
    "a: " + "{b: " * 5000 + "1" + "}" * 5000,
])
def test_absurd_nesting_is_refused(text):
    error = single_error(text)
    assert "nested more than" in error.message


def test_nesting_through_aliases_is_refused():
    text = "a: &a " + "[" * 60 + "]" * 60 + "\nb: " + "[" * 60 + "*a" + "]" * 60 + "\n"
    assert "nested more than" in single_error(text).message


def test_recursive_alias_is_refused():
    error = single_error("a: &loop\n  - *loop\n")
    assert "contains it" in error.message
    assert error.origin.line == 2


def test_oversized_input_is_refused(monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_INPUT_CHARS", 1000)
    error = single_error(NAMESPACE + "#" * 2000 + "\n")
    assert "at most 1,000 characters" in error.message


@pytest.mark.parametrize("text,line,column,words", [
    ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a\n", 5, 1, "flow sequence at line 4"),
    ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n labels: {}\n", 5, 2, "syntax error"),
    ("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: a\n", 4, 1, "tabs"),
    ('apiVersion: v1\nkind: "Pod\n', 3, 1, "syntax error"),
])
def test_syntax_errors_have_line_and_column(text, line, column, words):
    error = single_error(text)
    assert (error.origin.file, error.origin.line, error.column) == ("in.yaml", line, column)
    assert words in error.message
    assert f"column {column}" in error.message


def test_objects_before_a_syntax_error_are_still_checked():
    text = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: Bad_Name}\n"
            "---\nkey: [unclosed\n")
    with pytest.raises(InputError) as info:
        load_string(text, "in.yaml")
    assert [e.origin.line for e in info.value.errors] == [3, 6]


def test_duplicate_keys_are_errors_at_the_second_key():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    app: web\n    app: db\n"
    errors = pytest.raises(InputError, load_string, text, "in.yaml").value.errors
    duplicate = [e for e in errors if "duplicate key" in e.message]
    assert len(duplicate) == 1
    assert duplicate[0].origin.line == 7
    assert "line 6" in duplicate[0].message


def test_a_quoted_and_plain_key_are_the_same_key():
    text = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a, "name": b}\n'
    assert "duplicate key" in single_error(text).message


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!binary", "!custom", "!!set"])
def test_only_plain_data_types(tag):
    text = f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  annotations:\n    x: {tag} aGk=\n"
    error = single_error(text)
    assert "only plain data" in error.message
    assert error.origin.line == 6


def test_merge_keys_apply_and_explicit_keys_win():
    text = """\
base: &base {app: web, tier: front}
apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels:
    <<: *base
    tier: back
"""
    # `base` is not a Namespace field, so this is also an unknown-field error; check the composer.
    docs, problems = yamlio.read_documents(text, "in.yaml")
    assert problems == []
    labels = docs[0].root.entries["metadata"][1].entries["labels"][1]
    assert {k: v[1].value for k, v in labels.entries.items()} == {"tier": "back", "app": "web"}


def test_non_string_keys_are_errors():
    error = single_error(NAMESPACE + "[a]: b\n")
    assert "keys must be plain strings" in error.message
    assert error.origin.line == 5


def test_control_characters_are_reported_with_their_line():
    error = single_error("apiVersion: v1\nkind: Namespace\nmetadata: {name: \x07}\n")
    assert error.origin.line == 3
    assert "U+0007" in error.message


def test_empty_documents_and_comments_are_skipped():
    cluster = load_string("---\n# nothing here\n---\n" + NAMESPACE + "---\n...\n")
    assert list(cluster.namespaces) == ["prod"]


def test_yaml_11_scalars_keep_their_types():
    docs, _ = yamlio.read_documents("a: yes\nb: '80'\nc: 0x10\nd: ~\ne: 2024-01-01\nf: 1.5\n", "x")
    values = {k: v[1].value for k, v in docs[0].root.entries.items()}
    assert values == {"a": True, "b": "80", "c": 16, "d": None, "e": "2024-01-01", "f": 1.5}


@pytest.mark.parametrize("text", ["this: [is not closed", "x: {", "[", 'k: "unterminated', "a: b\n  c: d"])
def test_syntax_errors_at_the_end_of_input_are_reported_not_raised(text):
    # Regression: an error just past the last line used to raise IndexError.
    with pytest.raises(InputError) as e:
        load_string(text, "broken.yaml")
    d = e.value.diagnostics[0]
    assert d.origin.file == "broken.yaml" and d.origin.line >= 1 and "YAML syntax error" in d.message
