"""Calico selectors (docs/semantics/calico.md): what each operator answers, with the label absent and present."""

import pytest

from npkit.selectors.calico import parse
from npkit.selectors.index import LabelIndex

ABSENT: dict[str, str] = {"other": "x"}


def check(text: str, labels: dict[str, str], expected: bool) -> None:
    sel = parse(text)
    assert sel.matches(labels) is expected, f"{text} on {labels}"
    assert sel.mask(LabelIndex([labels])).tolist() == [expected], f"mask of {text} on {labels}"


# One test per row of the B.2 table: (expression, answer when k is absent, [(value of k, answer)...]).
ROWS = [
    ("k == 's'", False, [("s", True), ("t", False), ("", False), ("S", False)]),
    ("k != 's'", True, [("s", False), ("t", True), ("", True)]),
    ("has(k)", False, [("s", True), ("", True)]),
    ("!has(k)", True, [("s", False), ("", False)]),
    ("k in {'a', 'b'}", False, [("a", True), ("b", True), ("c", False), ("", False)]),
    ("k not in {'a', 'b'}", True, [("a", False), ("b", False), ("c", True), ("", True)]),
    ("k contains 'eb'", False, [("web", True), ("eb", True), ("WEB", False), ("e", False)]),
    ("k starts with 'we'", False, [("web", True), ("we", True), ("awe", False), ("We", False)]),
    ("k ends with 'eb'", False, [("web", True), ("eb", True), ("ebb", False), ("EB", False)]),
    ("all()", True, [("s", True)]),
    ("global()", True, [("s", True)]),
    ("!all()", False, [("s", False)]),
]


@pytest.mark.parametrize(("text", "when_absent", "when_present"), ROWS, ids=[r[0] for r in ROWS])
def test_b2_row(text, when_absent, when_present):
    check(text, ABSENT, when_absent)
    check(text, {}, when_absent)
    for value, expected in when_present:
        check(text, {"k": value, "other": "x"}, expected)


def test_empty_string_searches_are_trivially_true_when_present():
    check("k contains ''", {"k": "v"}, True)
    check("k starts with ''", {"k": ""}, True)
    check("k contains ''", {}, False)


def test_empty_set():
    check("k in {}", {"k": "a"}, False)
    check("k not in {}", {"k": "a"}, True)
    check("k not in {}", {}, True)


def test_negating_a_term_flips_its_absent_answer():
    # An absent label makes ==/in false and !=/not in true; `!` flips those answers too.
    check("!(k == 's')", {}, True)
    check("!(k != 's')", {}, False)
    check("!(k in {'a'})", {}, True)
    check("!(k not in {'a'})", {}, False)


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        # && binds tighter than ||
        ("a == '1' || b == '1' && c == '1'", {"a": "1"}, True),
        ("a == '1' || b == '1' && c == '1'", {"b": "1"}, False),
        ("(a == '1' || b == '1') && c == '1'", {"a": "1"}, False),
        # ! binds tighter than &&
        ("!has(a) && has(b)", {"b": ""}, True),
        ("!has(a) && has(b)", {"a": "", "b": ""}, False),
        ("!(has(a) && has(b))", {"a": ""}, True),
        # any number of leading ! collapse; an even count is a no-op
        ("!!has(a)", {"a": ""}, True),
        ("!!!has(a)", {"a": ""}, False),
        ("! ! !has(a)", {}, True),
    ],
)
def test_precedence(text, labels, expected):
    check(text, labels, expected)


def test_mask_over_a_population():
    pods = [{"app": "web", "env": "prod"}, {"app": "web"}, {"app": "db", "env": "dev"}, {}]
    idx = LabelIndex(pods)
    sel = parse("app in {'web', 'db'} && env != 'prod' || !has(app)")
    assert sel.mask(idx).tolist() == [False, True, True, True]
    assert sel.mask(idx).tolist() == [sel.matches(p) for p in pods]


def test_mask_is_cached_and_read_only():
    idx = LabelIndex([{"a": "1"}, {}])
    sel = parse("has(a) || a == '2'")
    m = sel.mask(idx)
    assert parse("has(a) || a == '2'").mask(idx) is m  # equal selectors share the cache entry
    with pytest.raises(ValueError):
        m[0] = False
