"""The Selector tree: canonical strings, rewrites for B.4 scoping, constructors, explanations."""

import pytest

from npkit.selectors.calico import (
    All,
    And,
    Eq,
    Global,
    Has,
    In,
    Not,
    NotIn,
    Or,
    Selector,
    all_,
    and_,
    eq,
    global_,
    has,
    in_,
    not_,
    or_,
    parse,
)

# -- canonical string --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("", "all()"),
        ("all( )", "all()"),
        ("global()", "global()"),
        ("has( a )", "has(a)"),
        ("a=='x'", 'a == "x"'),
        ("a == 'say \"hi\"'", "a == 'say \"hi\"'"),  # double quotes unless the value holds one
        ("a!='x'", 'a != "x"'),
        ("a contains 'x'", 'a contains "x"'),
        ("a startswith 'x'", 'a starts with "x"'),
        ("a ends  with 'x'", 'a ends with "x"'),
        ("a in {'b','a','b',}", 'a in {"a", "b"}'),
        ("a notin {}", "a not in {}"),
        ("!!!has(a)", "!has(a)"),
        ("!(has(a) && has(b))", "!(has(a) && has(b))"),
        ("has(a) && has(b) || has(c)", "((has(a) && has(b)) || has(c))"),
        ("has(a) && (has(b) || has(c))", "(has(a) && (has(b) || has(c)))"),
    ],
)
def test_canonical_string(text, canonical):
    sel = parse(text)
    assert str(sel) == canonical
    assert parse(canonical) == sel
    assert str(parse(canonical)) == canonical


def test_double_negation_built_by_hand_keeps_its_meaning_in_text():
    sel = Not(Not(Has("a")))
    assert str(sel) == "!(!has(a))"
    assert parse(str(sel)) == sel
    assert sel.matches({"a": ""}) and not sel.matches({})


def test_selectors_are_hashable_values():
    a, b = parse("has(x) && y in {'1', '2'}"), parse("has(x)&&y in{'2','1',}")
    assert a == b and hash(a) == hash(b)
    assert len({a, b, parse("has(x)")}) == 2
    with pytest.raises(AttributeError):
        a.operands = ()  # frozen


# -- introspection -----------------------------------------------------------------------------------


def test_labels_lists_every_referenced_key():
    sel = parse("a == 'x' || !(has(b) && c not in {'q'}) && d starts with 'z' || all()")
    assert sel.labels() == {"a", "b", "c", "d"}
    assert parse("all()").labels() == set()


def test_uses_global():
    assert parse("global()").uses_global()
    assert parse("has(a) || !global()").uses_global()
    assert not parse("all() && has(global)").uses_global()


def test_walk_and_children():
    sel = parse("has(a) && !has(b)")
    assert [type(n).__name__ for n in sel.walk()] == ["And", "Has", "Not", "Has"]
    assert Has("a").children() == ()


# -- B.4 rewrites --------------------------------------------------------------------------------------


def test_prefixed_prefixes_every_label_and_nothing_else():
    sel = parse("a == 'x' && has(b) || c in {'1'} && !(d not in {'2'}) && e != 'a' || all() || global()")
    out = sel.prefixed("pcns.")
    assert out.labels() == {"pcns.a", "pcns.b", "pcns.c", "pcns.d", "pcns.e"}
    assert str(out) == (
        '((pcns.a == "x" && has(pcns.b)) || (pcns.c in {"1"} && !pcns.d not in {"2"} && pcns.e != "a")'
        " || all() || global())"
    )
    assert sel.labels() == {"a", "b", "c", "d", "e"}  # the original is untouched


def test_prefixed_selector_reads_prefixed_labels():
    ns_sel = parse("team == 'blue' && !has(restricted)")
    wep = {"pcns.team": "blue", "team": "red", "restricted": "yes"}  # pod labels must not count
    assert ns_sel.prefixed("pcns.").matches(wep)
    assert not ns_sel.matches(wep)


def test_namespace_selector_rewrite_of_b4():
    """namespaceSelector: prefix with pcns., all() -> has(namespace), global() -> !has(namespace)."""
    ns_label = "projectcalico.org/namespace"

    def scope(text):
        return parse(text).prefixed("pcns.").substitute(all_=has(ns_label), global_=not_(has(ns_label)))

    assert str(scope("all()")) == "has(projectcalico.org/namespace)"
    assert str(scope("global()")) == "!has(projectcalico.org/namespace)"
    assert str(scope("!all()")) == "!has(projectcalico.org/namespace)"
    assert str(scope("!global()")) == "!(!has(projectcalico.org/namespace))"
    assert str(scope("env == 'dev' || all()")) == '(pcns.env == "dev" || has(projectcalico.org/namespace))'

    pod = {ns_label: "dev", "pcns.env": "dev"}
    global_set = {"role": "dns"}  # a GlobalNetworkSet: no namespace label
    assert scope("all()").matches(pod) and not scope("all()").matches(global_set)
    assert scope("global()").matches(global_set) and not scope("global()").matches(pod)


def test_substitute_leaves_unset_nodes_alone():
    sel = parse("all() && global()")
    assert sel.substitute() == sel
    assert sel.substitute(all_=has("x")) == And((Has("x"), Global()))
    assert sel.substitute(global_=has("y")) == And((All(), Has("y")))


# -- constructors ------------------------------------------------------------------------------------


def test_constructors():
    assert all_() == All() and global_() == Global()
    assert eq("a", "b") == parse("a == 'b'")
    assert has("a") == parse("has(a)")
    assert in_("a", ["y", "x", "y"]) == parse("a in {'x', 'y'}")
    assert not_(has("a")) == parse("!has(a)")
    assert not_(not_(has("a"))) == has("a")  # like the parser's `!!`
    assert and_(has("a"), has("b")) == parse("has(a) && has(b)")
    assert or_(has("a"), has("b")) == parse("has(a) || has(b)")


def test_and_or_edge_arities():
    assert and_() == All()
    assert and_(has("a")) == has("a")
    assert or_(has("a")) == has("a")
    nothing = or_()
    assert not nothing.matches({}) and not nothing.matches({"a": "b"})
    # Nested chains are kept as written (as Calico's own "(sel) && ns == 'x'" strings are).
    nested = and_(and_(has("a"), has("b")), has("c"))
    assert str(nested) == "((has(a) && has(b)) && has(c))"
    assert parse(str(nested)) == nested


@pytest.mark.parametrize(
    "build",
    [
        lambda: Eq("bad key", "v"),
        lambda: Eq("", "v"),
        lambda: Has("a:b"),
        lambda: Eq("k", "both ' and \""),
        lambda: In("k", ["ok", "both ' and \""]),
        lambda: In("k", "abc"),
        lambda: Eq("k", 5),
        lambda: And((Has("a"),)),
        lambda: Or(()),
        lambda: Not("has(a)"),
        lambda: And((Has("a"), "has(b)")),
    ],
)
def test_invalid_nodes_are_rejected(build):
    with pytest.raises((ValueError, TypeError)):
        build()


def test_every_node_is_a_selector():
    for node in parse("a == 'x' && b != 'y' || !has(c) && d in {} && e not in {} && f contains 'g' "
                      "&& h starts with 'i' && j ends with 'k' || all() || global()").walk():
        assert isinstance(node, Selector)
    assert isinstance(NotIn("k", ()), Selector)


# -- explain -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "labels", "reason"),
    [
        ("app == 'web'", {"app": "db"}, "needs app == \"web\", but app is 'db'"),
        ("app == 'web'", {}, 'needs app == "web", but it has no app label'),
        ("app != 'web'", {"app": "web"}, "needs app != \"web\", but app is 'web'"),
        ("has(app)", {}, "needs has(app), but it has no app label"),
        ("!has(app)", {"app": "x"}, "needs !has(app), but app is 'x'"),
        ("app in {'a', 'b'}", {"app": "c"}, "needs app in {\"a\", \"b\"}, but app is 'c'"),
        ("app not in {'a'}", {"app": "a"}, "needs app not in {\"a\"}, but app is 'a'"),
        ("app contains 'x'", {}, 'needs app contains "x", but it has no app label'),
        ("app starts with 'x'", {"app": "yx"}, "needs app starts with \"x\", but app is 'yx'"),
        ("!all()", {}, "needs !all(), which matches nothing"),
        # AND chains: the first failing conjunct
        ("has(a) && b == '1' && c == '2'", {"a": "", "b": "0"}, "needs b == \"1\", but b is '0'"),
        ("(has(a) && has(b)) && has(c)", {"a": ""}, "needs has(b), but it has no b label"),
        # otherwise: the whole selector and the labels it looks at
        ("a == '1' || b == '1'", {"a": "2", "z": "9"},
         'selector (a == "1" || b == "1") does not match labels {a=2}'),
        ("a == '1' || b == '1'", {"z": "9"},
         'selector (a == "1" || b == "1") does not match: it has none of the labels a, b'),
        ("!(a == '1' && b == '2')", {"a": "1", "b": "2"},
         'selector !(a == "1" && b == "2") does not match labels {a=1, b=2}'),
    ],
)
def test_explain(text, labels, reason):
    assert parse(text).explain(labels) == reason


@pytest.mark.parametrize(
    "text", ["all()", "global()", "a != 'x'", "!has(a)", "a not in {'x'}", "!has(a) || a == 'x'"]
)
def test_explain_is_none_when_it_matches(text):
    assert parse(text).explain({}) is None
