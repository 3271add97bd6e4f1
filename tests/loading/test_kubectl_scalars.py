"""Unquoted YAML scalars mean what they mean to kubectl: go-yaml v2's resolve.go, then Go's JSON.

The expected values follow go.yaml.in/yaml/v2 resolve.go (resolveMap; strconv.ParseInt(s, 0, 64)
after removing "_", then ParseUint, then yamlStyleFloat + ParseFloat) and sigs.k8s.io/yaml
(YAMLToJSON: keys become text, floats are JSON numbers, so an integral float reaches the API
server as an integer; json.Marshal refuses NaN and infinities).
"""

from __future__ import annotations

import math

import pytest

from npkit import Engine, load_string
from npkit.loading.scalars import NOT_JSON, resolve_plain
from npkit.loading.yamlio import read_documents
from npkit.model import InputError

# (written, what kubectl sends, what PyYAML alone would have made of it)
TABLE = [
    ("1e2", 100, "1e2"),
    ("1E2", 100, "1E2"),
    ("1.5e3", 1500, 1500.0),
    ("5.", 5, 5.0),
    ("1.5", 1.5, 1.5),
    ("0x1F", 31, 31),
    ("0o17", 15, "0o17"),
    ("0O17", 15, "0O17"),
    ("017", 15, 15),
    ("08", 8, "08"),
    ("09.5", 9.5, 9.5),
    ("+80", 80, 80),
    ("-0", 0, 0),
    (".5", 0.5, 0.5),
    ("+.5", 0.5, 0.5),
    ("1_000", 1000, 1000),
    ("0b101", 5, 5),
    ("-0b101", -5, -5),
    ("99999999999999999999", 10**20, 10**20),
    ("yes", True, True), ("Yes", True, True), ("YES", True, True), ("on", True, True), ("ON", True, True),
    ("y", True, "y"), ("Y", True, "Y"), ("true", True, True), ("True", True, True),
    ("no", False, False), ("off", False, False), ("n", False, "n"), ("N", False, "N"), ("false", False, False),
    ("yEs", "yEs", "yEs"), ("oN", "oN", "oN"),
    ("~", None, None), ("null", None, None), ("Null", None, None), ("NULL", None, None), ("", None, None),
    (".inf", NOT_JSON, math.inf), ("-.Inf", NOT_JSON, -math.inf), (".nan", NOT_JSON, "nan"),
    ("190:20:30", "190:20:30", 685230),
    ("2024-01-01", "2024-01-01", "2024-01-01"),
    ("0x", "0x", "0x"),
    ("._5", "._5", "._5"),
    ("1e400", "1e400", "1e400"),
    ("http", "http", "http"),
]


@pytest.mark.parametrize("written, kubectl, pyyaml", TABLE, ids=[t[0] or "empty" for t in TABLE])
def test_plain_scalars_resolve_as_kubectl_resolves_them(written, kubectl, pyyaml):
    value = resolve_plain(written)
    assert value == kubectl and type(value) is type(kubectl)
    docs, problems = read_documents(f"k: {written}\n", "x.yaml")
    assert docs[0].root.entries["k"][1].value is value or docs[0].root.entries["k"][1].value == value


@pytest.mark.parametrize("written", ["y", "1e2", "0o17", "~", "yes"])
@pytest.mark.parametrize("quote", ['"', "'"])
def test_quoted_scalars_are_always_text(written, quote):
    docs, _ = read_documents(f"k: {quote}{written}{quote}\n", "x.yaml")
    assert docs[0].root.entries["k"][1].value == written


def test_a_block_scalar_is_text():
    docs, _ = read_documents("k: |\n  1e2\n", "x.yaml")
    assert docs[0].root.entries["k"][1].value == "1e2\n"


@pytest.mark.parametrize("written, expected", [
    ('!!int "0x50"', 80), ("!!str 80", "80"), ("!!float 1", 1), ("!!bool yes", True), ("!!null ~", None),
    ("!!timestamp 2024-01-01", "2024-01-01"), ("! 80", "80"),
])
def test_explicit_tags_decode_as_go_yaml_decodes_them(written, expected):
    docs, problems = read_documents(f"k: {written}\n", "x.yaml")
    assert problems == [] and docs[0].root.entries["k"][1].value == expected


@pytest.mark.parametrize("written", ["!!int web", "!!bool 1", "!!null x", "!!timestamp soon"])
def test_a_tag_the_text_does_not_fit_is_an_error(written):
    _, problems = read_documents(f"k: {written}\n", "x.yaml")
    assert len(problems) == 1 and "as kubectl cannot" in problems[0].message


def _policy(port: str) -> str:
    return f"""\
apiVersion: v1
kind: Pod
metadata: {{name: web, namespace: demo, labels: {{app: web}}}}
spec: {{containers: [{{name: web, image: nginx}}]}}
status: {{podIP: 10.244.0.5}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: allow, namespace: demo}}
spec:
  podSelector: {{}}
  ingress:
  - ports:
    - port: {port}
"""


@pytest.mark.parametrize("written", ["1e2", "0x64", "0o144", "0144", "+100", "1_00", "100.0"])
def test_a_port_written_as_any_number_form_is_that_port(written):
    engine = Engine(load_string(_policy(written)))
    assert engine.verdict("10.0.0.1", "demo/web", 100).allowed
    assert not engine.verdict("10.0.0.1", "demo/web", 80).allowed


@pytest.mark.parametrize("written, words", [
    ("1.5", "must be a number or a name, not the number 1.5"),
    (".inf", ".inf is not a number JSON can carry"),
    ("y", "must be a number or a name, not the boolean y"),
])
def test_a_port_kubectl_would_refuse_is_refused(written, words):
    with pytest.raises(InputError) as e:
        load_string(_policy(written), "p.yaml")
    (error,) = e.value.errors
    assert words in error.message and error.origin.line == 14


def test_unquoted_keys_become_the_text_kubectl_sends_with_a_warning():
    cluster = load_string("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels: {on: x, 'y': z}\n")
    assert cluster.namespaces["team"].labels["true"] == "x" and cluster.namespaces["team"].labels["y"] == "z"
    (warning,) = cluster.warnings
    assert warning.origin.line == 5 and "unquoted key on as 'true'" in warning.message


@pytest.mark.parametrize("written, key", [
    ("on", "true"), ("y", "true"), ("N", "false"), ("80", "80"), ("0x1F", "31"), ("017", "15"), ("1e2", "100"),
    ("1.0", "1"), ("1.5", "1.5"), ("123456789.0", "1.2345679e+08"), ("1e39", ".inf"), ("-.inf", "-.inf"),
    (".nan", ".nan"), ("app", "app"), ("'on'", "on"),
])
def test_keys_get_the_text_of_kubectls_json(written, key):
    # sigs.k8s.io/yaml: bool keys "true"/"false", ints in decimal, floats by FormatFloat(f, 'g', -1, 32)
    docs, _ = read_documents(f"{written}: x\n", "x.yaml")
    assert list(docs[0].root.entries) == [key]


def test_a_null_key_is_refused():
    with pytest.raises(InputError) as e:
        load_string("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels: {~: x}\n")
    assert "a mapping key must not be null" in e.value.errors[0].message


def test_the_dumper_quotes_text_kubectl_would_read_as_something_else():
    from npkit.loading import dump_yaml
    from npkit.model import Namespace

    text = dump_yaml([Namespace("y", {"a": "n", "b": "08", "c": "1e2", "d": "web"})])
    assert "name: 'y'" in text and "a: 'n'" in text and "b: '08'" in text and "c: '1e2'" in text
    assert "d: web" in text
    assert load_string(text).namespaces["y"].labels["a"] == "n"
