"""The Calico selector grammar (docs/semantics/calico.md): every grammar and lexical rule, accepted and rejected forms."""

import pytest

from npkit.selectors.calico import (
    All,
    And,
    Contains,
    EndsWith,
    Eq,
    Global,
    Has,
    In,
    Ne,
    Not,
    NotIn,
    Or,
    SelectorSyntaxError,
    StartsWith,
    parse,
)


def error(text: str) -> SelectorSyntaxError:
    with pytest.raises(SelectorSyntaxError) as info:
        parse(text)
    err = info.value
    assert err.text == text
    assert 1 <= err.column <= len(text) + 1
    return err


# -- empty selector and whitespace -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\t", " \t  "])
def test_empty_or_blank_is_all(text):
    assert parse(text) == All()


@pytest.mark.parametrize("text", ["\ta\t==\t'x'\t", "  a == 'x'  ", "a=='x'"])
def test_space_and_tab_are_whitespace(text):
    assert parse(text) == Eq("a", "x")


@pytest.mark.parametrize(
    ("text", "column"),
    [("a == 'x'\n", 9), ("\na == 'x'", 1), ("a == 'x' &&\nb == 'y'", 12), ("a == 'x'\r\n", 9), ("\n", 1)],
)
def test_line_breaks_are_not_whitespace(text, column):
    err = error(text)
    assert err.column == column
    assert "one line" in err.message
    assert "| or >" in err.message  # the YAML block-scalar hint


def test_a_line_break_inside_a_quoted_value_is_just_a_character():
    sel = parse("a == 'x\ny'")
    assert sel == Eq("a", "x\ny")
    assert parse(str(sel)) == sel


# -- operations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("has(app)", Has("app")),
        ("has( app\t)", Has("app")),
        ("all()", All()),
        ("all( )", All()),
        ("global()", Global()),
        ("global(\t)", Global()),
        ("app == 'web'", Eq("app", "web")),
        ("app != 'web'", Ne("app", "web")),
        ("app contains 'we'", Contains("app", "we")),
        ("app contains'we'", Contains("app", "we")),
        ("app starts with 'we'", StartsWith("app", "we")),
        ("app starts \t with 'we'", StartsWith("app", "we")),
        ("app startswith 'we'", StartsWith("app", "we")),
        ("app ends with 'eb'", EndsWith("app", "eb")),
        ("app endswith 'eb'", EndsWith("app", "eb")),
        ("app in {'a', 'b'}", In("app", ("a", "b"))),
        ("app in{'a'}", In("app", ("a",))),
        ("app not in {'a'}", NotIn("app", ("a",))),
        ("app notin {'a'}", NotIn("app", ("a",))),
        ("app not\t\tin {'a'}", NotIn("app", ("a",))),
        ("(app == 'web')", Eq("app", "web")),
        ("((app == 'web'))", Eq("app", "web")),
    ],
)
def test_operations(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("k in {}", ()),
        ("k in { }", ()),
        ("k in {'a',}", ("a",)),
        ("k in {'a', 'b' , }", ("a", "b")),
        ("k in {'b', 'a', 'b'}", ("a", "b")),  # sets are sorted and de-duplicated
        ("k in {\"a\", 'b'}", ("a", "b")),
    ],
)
def test_sets_allow_empty_and_trailing_comma(text, values):
    assert parse(text) == In("k", values)
    assert parse(text).values == values


@pytest.mark.parametrize(
    "label",
    ["a", "A1", "projectcalico.org/namespace", "pcns.kubernetes.io/metadata.name", "x_y-z", "-", "1", "./-_",
     "in", "has", "all", "global", "not", "contains", "starts", "ends"],
)
def test_label_characters(label):
    assert parse(f"{label} == 'v'") == Eq(label, "v")
    assert parse(f"has({label})") == Has(label)


def test_label_length_limit_is_512():
    assert parse("has(" + "a" * 512 + ")") == Has("a" * 512)
    err = error("a" * 513 + " == 'x'")
    assert err.column == 1
    assert "513" in err.message and "512" in err.message
    assert error("has(" + "b" * 600 + ")").column == 5


# -- strings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("k == 'web'", "web"),
        ('k == "web"', "web"),
        ("k == \"it's\"", "it's"),
        ("k == 'say \"hi\"'", 'say "hi"'),
        ("k == 'a\\'", "a\\"),  # no escapes: the backslash is just a character
        ("k == ''", ""),
        ("k == '  spaced\tout '", "  spaced\tout "),
        ("k == 'a && b || !c'", "a && b || !c"),
    ],
)
def test_strings_have_no_escapes(text, value):
    assert parse(text) == Eq("k", value)


@pytest.mark.parametrize(("text", "column"), [("k == 'web", 6), ('k == "web', 6), ("k in {'a', 'b}", 12)])
def test_unterminated_string(text, column):
    err = error(text)
    assert err.column == column
    assert "never closed" in err.message


# -- negation and precedence -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("!has(a)", Not(Has("a"))),
        ("!!has(a)", Has("a")),
        ("!!!has(a)", Not(Has("a"))),
        ("! !\t!!has(a)", Has("a")),
        ("!(a == 'x')", Not(Eq("a", "x"))),
        ("!a == 'x'", Not(Eq("a", "x"))),
        ("has(a) && has(b) || has(c)", Or((And((Has("a"), Has("b"))), Has("c")))),
        ("has(a) || has(b) && has(c)", Or((Has("a"), And((Has("b"), Has("c")))))),
        ("has(a) && (has(b) || has(c))", And((Has("a"), Or((Has("b"), Has("c")))))),
        ("!has(a) && has(b)", And((Not(Has("a")), Has("b")))),
        ("has(a) && has(b) && has(c)", And((Has("a"), Has("b"), Has("c")))),
        ("has(a) || has(b) || has(c)", Or((Has("a"), Has("b"), Has("c")))),
    ],
)
def test_negation_and_precedence(text, tree):
    assert parse(text) == tree


# -- rejected forms: each with its column and a message a learner can act on --------------------------


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("app = 'web'", 5, "use == (two equals signs)"),
        ("app == 'x' & b == 'y'", 12, "use && (two ampersands)"),
        ("app == 'x' | b == 'y'", 12, "use || (two vertical bars)"),
        ("app == web", 8, "values must be quoted: app == 'web'"),
        ("port == 80", 9, "values must be quoted: port == '80'"),
        ("app != web", 8, "values must be quoted: app != 'web'"),
        ("app contains web", 14, "values must be quoted: app contains 'web'"),
        ("app in {web}", 9, "values must be quoted: write 'web'"),
        ("app ==", 7, "expected a quoted value after =="),
        ("app == {'a'}", 8, "expected a quoted value after =="),
        ("has (app)", 4, "remove the space: write has("),
        ("all ()", 4, "remove the space: write all("),
        ("has()", 5, "needs a label name"),
        ("has('app')", 5, "without quotes"),
        ("has(app", 8, "missing ')'"),
        ("has(app x)", 9, "missing ')'"),
        ("all(x)", 5, "all() takes nothing"),
        ("global(x)", 8, "global() takes nothing"),
        ("app", 4, "write has(app)"),
        ("(app)", 5, "write has(app)"),
        ("app && has(b)", 5, "write has(app)"),
        ("app 'web'", 5, "put an operator between the label and its value"),
        ("app web", 5, "expected an operator after the label 'app'"),
        ("app: web", 4, "expected an operator after the label 'app'"),
        ("app inside {'a'}", 5, "expected an operator after the label 'app'"),
        ("app containsx 'a'", 5, "expected an operator after the label 'app'"),
        ("app IN {'a'}", 5, "operators are lower-case: write 'in'"),
        ("app Contains 'a'", 5, "operators are lower-case: write 'contains'"),
        ("app starts 'a'", 5, "write 'starts' followed by 'with'"),
        ("app ends 'a'", 5, "write 'ends' followed by 'with'"),
        ("app not {'a'}", 5, "write 'not' followed by 'in'"),
        ("app > '3'", 5, "no < or >"),
        ("app in ('a')", 8, "braces, not parentheses"),
        ("app in 'a'", 8, "expected '{'"),
        ("app in {'a' 'b'}", 13, "separate the values with commas"),
        ("app in {'a',", 13, "never closed: add '}'"),
        ("app in {,}", 9, "expected a quoted value in the set"),
        ("app in {'a',,}", 13, "expected a quoted value in the set"),
        ("'web' == app", 1, "starts with a label name, not a quoted value"),
        ("== 'web'", 1, "unexpected '=='"),
        ("&& has(a)", 1, "unexpected '&&'"),
        ("has(a) && || has(b)", 11, "unexpected '||'"),
        ("has(a) &&", 10, "ends too early"),
        ("!", 2, "ends too early"),
        ("()", 2, "unexpected ')'"),
        ("(has(a)", 8, "missing ')' to close the '(' at column 1"),
        ("(has(a) has(b))", 9, "join terms with && (and) or || (or)"),
        ("has(a))", 7, "has no matching '('"),
        ("has(a) has(b)", 8, "join terms with && (and) or || (or)"),
        ("has(a) }", 8, "unexpected '}' after a complete selector"),
        ("@app == 'x'", 1, "unexpected character '@'"),
        ("app\u00e9 == 'x'", 4, "expected an operator after the label 'app'"),
    ],
)
def test_rejected(text, column, fragment):
    err = error(text)
    assert fragment in err.message, err.message
    assert err.column == column, str(err)


def test_error_display_has_message_text_and_caret():
    err = error("app == web")
    assert str(err) == "values must be quoted: app == 'web'\n  app == web\n         ^"
    assert err.message == "values must be quoted: app == 'web'"
    assert err.column == 8


def test_error_caret_follows_tabs_and_line_breaks():
    assert str(error("\tapp = 'x'")).splitlines()[2] == "  \t    ^"
    # The line break shows as a visible symbol so the caret still points at it.
    assert str(error("a == 'x'\n")).splitlines()[1:] == ["  a == 'x'\u21b5", "          ^"]


def test_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse("a = 'b'")
