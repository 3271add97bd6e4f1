import pytest

from npkit.model import LabelSelector, Requirement
from npkit.selectors import LabelIndex
from npkit.selectors.calico import parse
from npkit.selectors.k8s import describe, mask, matches, mismatch, to_calico

R = Requirement
EMPTY = LabelSelector()


def sel(labels=None, *exprs):
    return LabelSelector.of(labels or {}, *exprs)


# -- matches ------------------------------------------------------------------------------------


@pytest.mark.parametrize("labels", [{}, {"a": "b"}, {"x": "y", "z": ""}])
def test_empty_selector_matches_everything(labels):
    assert matches(EMPTY, labels)


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        (sel({"role": "db"}), {"role": "db"}, True),
        (sel({"role": "db"}), {"role": "db", "x": "y"}, True),
        (sel({"role": "db"}), {"role": "web"}, False),
        (sel({"role": "db"}), {}, False),
        (sel({"role": "db", "env": "prod"}), {"role": "db"}, False),
        (sel({"role": "db", "env": "prod"}), {"role": "db", "env": "prod"}, True),
        (sel({}, R("app", "In", ("a", "b"))), {"app": "b"}, True),
        (sel({}, R("app", "In", ("a", "b"))), {"app": "c"}, False),
        (sel({}, R("app", "In", ("a", "b"))), {}, False),
        (sel({}, R("app", "NotIn", ("a",))), {"app": "a"}, False),
        (sel({}, R("app", "NotIn", ("a",))), {"app": "b"}, True),
        (sel({}, R("app", "NotIn", ("a",))), {}, True),  # absent key: NotIn matches
        (sel({}, R("app", "Exists")), {"app": ""}, True),
        (sel({}, R("app", "Exists")), {}, False),
        (sel({}, R("app", "DoesNotExist")), {}, True),  # absent key: DoesNotExist matches
        (sel({}, R("app", "DoesNotExist")), {"app": "x"}, False),
        # matchLabels AND matchExpressions
        (sel({"role": "db"}, R("env", "NotIn", ("prod",))), {"role": "db", "env": "dev"}, True),
        (sel({"role": "db"}, R("env", "NotIn", ("prod",))), {"role": "db", "env": "prod"}, False),
        (sel({"role": "db"}, R("env", "NotIn", ("prod",))), {"env": "dev"}, False),
    ],
)
def test_matches(selector, labels, expected):
    assert matches(selector, labels) is expected
    assert mask(selector, LabelIndex([labels])).tolist() == [expected]


def test_unknown_operator_is_rejected_not_guessed():
    with pytest.raises(ValueError, match="Gt"):
        matches(sel({}, R("a", "Gt", ("1",))), {"a": "2"})


# -- mask ---------------------------------------------------------------------------------------


def test_mask_over_many_objects_and_is_read_only():
    pods = [{"app": "web", "env": "prod"}, {"app": "web"}, {"app": "db"}, {}]
    idx = LabelIndex(pods)
    s = sel({"app": "web"}, R("env", "NotIn", ("prod",)))
    m = mask(s, idx)
    assert m.tolist() == [False, True, False, False]
    assert not m.flags.writeable
    assert mask(s, idx) is m  # cached per index
    assert mask(EMPTY, idx).tolist() == [True] * 4


def test_mask_of_unhashable_hand_built_selector():
    s = LabelSelector((), (Requirement("app", "In", ["web", "db"]),))  # a list, not a tuple
    assert mask(s, LabelIndex([{"app": "db"}, {}])).tolist() == [True, False]


# -- describe -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "text"),
    [
        (EMPTY, "{} (everything)"),
        (sel({"role": "frontend"}), "role=frontend"),
        (sel({"role": "frontend", "app": "x"}), "app=x,role=frontend"),
        (sel({}, R("app", "In", ("web", "api"))), "app in (api,web)"),
        (sel({}, R("app", "NotIn", ("x",))), "app notin (x)"),
        (sel({}, R("tier", "Exists")), "tier"),
        (sel({}, R("tier", "DoesNotExist")), "!tier"),
        # kubectl sorts terms by key; ties keep YAML order (matchLabels first)
        (
            sel({"role": "frontend"}, R("tier", "DoesNotExist"), R("app", "In", ("web", "api"))),
            "app in (api,web),role=frontend,!tier",
        ),
    ],
)
def test_describe_uses_kubectl_form(selector, text):
    assert describe(selector) == text


# -- mismatch -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "labels", "reason"),
    [
        (sel({"role": "frontend"}), {"role": "backend"}, "needs role=frontend, but role is 'backend'"),
        (sel({"role": "frontend"}), {}, "needs label role=frontend, which it does not have"),
        (sel({}, R("app", "In", ("web", "api"))), {"app": "db"}, "needs app in (api,web), but app is 'db'"),
        (sel({}, R("app", "In", ("web",))), {}, "needs app in (web), but it has no app label"),
        (sel({}, R("app", "NotIn", ("x",))), {"app": "x"}, "needs app notin (x), but app is 'x'"),
        (sel({}, R("app", "Exists")), {}, "needs label app, which it does not have"),
        (sel({}, R("app", "DoesNotExist")), {"app": "v"}, "needs no app label (!app), but app is 'v'"),
    ],
)
def test_mismatch_names_the_failing_term(selector, labels, reason):
    assert mismatch(selector, labels) == reason


def test_mismatch_is_none_when_it_matches():
    assert mismatch(EMPTY, {"a": "b"}) is None
    assert mismatch(sel({}, R("app", "NotIn", ("x",))), {}) is None


def test_mismatch_reports_the_first_failing_term_in_describe_order():
    s = sel({"zone": "a"}, R("app", "In", ("web",)))
    assert mismatch(s, {}) == "needs app in (web), but it has no app label"
    assert mismatch(s, {"app": "web"}) == "needs label zone=a, which it does not have"


# -- to_calico ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "text"),
    [
        (EMPTY, "all()"),
        (sel({"role": "frontend"}), "role == 'frontend'"),
        (sel({"b": "2", "a": "1"}), "a == '1' && b == '2'"),
        (sel({}, R("app", "In", ("web", "api"))), "app in { 'web', 'api' }"),
        (sel({}, R("app", "NotIn", ("x",))), "app not in { 'x' }"),
        (sel({}, R("k", "Exists")), "has(k)"),
        (sel({}, R("k", "DoesNotExist")), "! has(k)"),
        (
            sel({"role": "db"}, R("k", "Exists"), R("j", "DoesNotExist")),
            "role == 'db' && has(k) && ! has(j)",
        ),
    ],
)
def test_to_calico_matches_the_converter_text(selector, text):
    assert to_calico(selector) == text


def test_to_calico_pod_selector_adds_the_orchestrator_term():
    assert to_calico(EMPTY, pod_selector=True) == "projectcalico.org/orchestrator == 'k8s'"
    with_label = to_calico(sel({"a": "b"}), pod_selector=True)
    assert with_label == "projectcalico.org/orchestrator == 'k8s' && a == 'b'"


@pytest.mark.parametrize(
    "selector",
    [
        EMPTY,
        sel({"role": "db"}, R("env", "NotIn", ("prod", "stage")), R("x", "Exists"), R("y", "DoesNotExist")),
        sel({}, R("app", "In", ("a", "b"))),
    ],
)
def test_to_calico_parses_and_means_the_same(selector):
    calico = parse(to_calico(selector))
    for labels in [{}, {"role": "db"}, {"role": "db", "env": "prod", "x": ""}, {"app": "a", "y": "1"},
                   {"role": "db", "x": "1"}]:
        assert calico.matches(labels) is matches(selector, labels)
