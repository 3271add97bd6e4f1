"""Property tests: vectorised masks agree with per-object matching; canonical strings round-trip."""

from hypothesis import given, settings
from hypothesis import strategies as st

from npkit.model import LabelSelector, Requirement
from npkit.selectors import LabelIndex, k8s
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
    Selector,
    SelectorSyntaxError,
    StartsWith,
    parse,
)

# Small vocabularies on purpose: collisions are what make selectors match and fail.
KEYS = ("a", "b", "app", "x.io/y", "pcns.a", "1-2_3")
VALUES = ("", "a", "ab", "b", "ba", "web", "it's", 'say "hi"')

keys = st.sampled_from(KEYS)
values = st.sampled_from(VALUES)
label_dicts = st.dictionaries(keys, values, max_size=4)
populations = st.lists(label_dicts, max_size=25)
value_sets = st.lists(values, max_size=3).map(tuple)

calico_leaves = st.one_of(
    st.just(All()),
    st.just(Global()),
    st.builds(Has, keys),
    *(st.builds(node, keys, values) for node in (Eq, Ne, Contains, StartsWith, EndsWith)),
    st.builds(In, keys, value_sets),
    st.builds(NotIn, keys, value_sets),
)


def _composites(children: st.SearchStrategy[Selector]) -> st.SearchStrategy[Selector]:
    operands = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(st.builds(Not, children), st.builds(And, operands), st.builds(Or, operands))


calico_selectors = st.recursive(calico_leaves, _composites, max_leaves=8)

k8s_keys = st.sampled_from(KEYS[:4])
k8s_values = st.sampled_from(("", "a", "ab", "b", "web"))
requirements = st.one_of(
    st.builds(Requirement, k8s_keys, st.sampled_from(["In", "NotIn"]),
              st.lists(k8s_values, min_size=1, max_size=3, unique=True).map(tuple)),
    st.builds(Requirement, k8s_keys, st.sampled_from(["Exists", "DoesNotExist"])),
)
k8s_selectors = st.builds(
    lambda ml, ex: LabelSelector(tuple(sorted(ml.items())), tuple(ex)),
    st.dictionaries(k8s_keys, k8s_values, max_size=2),
    st.lists(requirements, max_size=3),
)


# -- Calico ------------------------------------------------------------------------------------------


@given(calico_selectors, populations)
def test_calico_mask_equals_per_object_matches(sel, pods):
    assert sel.mask(LabelIndex(pods)).tolist() == [sel.matches(p) for p in pods]


@given(calico_selectors)
def test_calico_canonical_string_round_trips(sel):
    text = str(sel)
    again = parse(text)
    assert again == sel
    assert hash(again) == hash(sel)
    assert str(again) == text


@given(calico_selectors, label_dicts)
def test_explain_is_none_exactly_when_it_matches(sel, labels):
    reason = sel.explain(labels)
    assert (reason is None) is sel.matches(labels)
    if reason is not None:
        assert reason.startswith(("needs ", "selector "))


@given(calico_selectors, label_dicts)
def test_prefixed_selector_reads_prefixed_labels(sel, labels):
    prefixed_labels = {"pcns." + k: v for k, v in labels.items()}
    assert sel.prefixed("pcns.").matches(prefixed_labels) is sel.matches(labels)


@given(calico_selectors, label_dicts)
def test_substituting_all_and_global_behaves_like_the_replacement(sel, labels):
    # Replacing both by has(a) is the same as evaluating them as has(a) would answer.
    rewritten = sel.substitute(all_=Has("a"), global_=Has("a"))
    assert not rewritten.uses_global()
    if "a" in labels:
        assert rewritten.matches(labels) is sel.matches(labels)
    assert parse(str(rewritten)) == rewritten


FRAGMENTS = (
    "a", "app", "x.io/y", " ", "\t", "\n", "has(", "all()", "global()", "(", ")", "{", "}", ",", "!", "==",
    "!=", "=", "&&", "&", "||", "|", "in", "not", "notin", "contains", "starts", "ends", "with", "'v'",
    '"w"', "'", '"', "@", "IN",
)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join))
def test_parser_either_parses_or_reports_a_column(text):
    try:
        sel = parse(text)
    except SelectorSyntaxError as err:
        assert 1 <= err.column <= len(text) + 1
        assert err.message and err.text == text
    else:
        assert parse(str(sel)) == sel


# -- Kubernetes -----------------------------------------------------------------------------------------


@given(k8s_selectors, populations)
def test_k8s_mask_equals_per_object_matches(sel, pods):
    assert k8s.mask(sel, LabelIndex(pods)).tolist() == [k8s.matches(sel, p) for p in pods]


@given(k8s_selectors, label_dicts)
def test_k8s_to_calico_means_the_same(sel, labels):
    assert parse(k8s.to_calico(sel)).matches(labels) is k8s.matches(sel, labels)


@given(k8s_selectors, label_dicts)
def test_k8s_mismatch_is_none_exactly_when_it_matches(sel, labels):
    assert (k8s.mismatch(sel, labels) is None) is k8s.matches(sel, labels)
