"""Every input form: files, directories, stdin, strings, multi-document YAML and Lists."""

from __future__ import annotations

import io
import sys

import pytest

from npkit.loading import load, load_string
from npkit.model import InputError


def pod(name: str, namespace: str = "prod", app: str = "web") -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"  labels: {{app: {app}}}\nspec:\n  containers: [{{name: c, image: nginx}}]\n")


def test_file(tmp_path):
    (tmp_path / "pods.yaml").write_text(pod("a") + "---\n" + pod("b"))
    cluster = load(tmp_path / "pods.yaml")
    assert [p.key for p in cluster.pods] == ["prod/a", "prod/b"]
    assert cluster.pods[1].origin.file == str(tmp_path / "pods.yaml")
    assert cluster.pods[1].origin.line == 10


def test_several_sources_in_order(tmp_path):
    (tmp_path / "one.yaml").write_text(pod("a"))
    (tmp_path / "two.yml").write_text(pod("b"))
    cluster = load(str(tmp_path / "two.yml"), tmp_path / "one.yaml")
    assert [p.name for p in cluster.pods] == ["b", "a"]


def test_directory_reads_yaml_files_directly_in_it_sorted(tmp_path):
    (tmp_path / "b.yaml").write_text(pod("from-b"))
    (tmp_path / "a.yml").write_text(pod("from-a"))
    (tmp_path / "c.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("not yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.yaml").write_text(pod("from-sub"))
    cluster = load(tmp_path)
    assert [p.name for p in cluster.pods] == ["from-a", "from-b"]
    assert cluster.pods[0].origin.file == str(tmp_path / "a.yml")


def test_empty_directory_is_a_warning(tmp_path):
    cluster = load(tmp_path)
    assert cluster.pods == ()
    assert "no .yaml or .yml files" in cluster.warnings[0].message


def test_stdin_text(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(pod("from-stdin")))
    cluster = load("-")
    assert cluster.pods[0].name == "from-stdin"
    assert cluster.pods[0].origin.file == "<stdin>"


def test_stdin_bytes(monkeypatch):
    class BinaryStdin:
        buffer = io.BytesIO(pod("from-bytes").encode())

    monkeypatch.setattr(sys, "stdin", BinaryStdin())
    assert load("-").pods[0].name == "from-bytes"


def test_stdin_errors_name_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("apiVersion: v1\nkind: Pod\nmetadata: {name: A}\n"))
    with pytest.raises(InputError) as info:
        load("-")
    assert all(e.origin.file == "<stdin>" for e in info.value.errors)


def test_string_with_filename():
    cluster = load_string(pod("a"), "mine.yaml")
    assert cluster.pods[0].origin.file == "mine.yaml"
    assert load_string(pod("a")).pods[0].origin.file == "<string>"


def test_multi_document_with_comments_and_separators():
    text = "# leading comment\n---\n" + pod("a") + "---\n---\n# between\n" + pod("b") + "...\n"
    assert [p.name for p in load_string(text).pods] == ["a", "b"]


def test_list_as_kubectl_get_prints_it():
    text = """\
apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: a
    namespace: prod
  spec:
    containers: [{name: c, image: nginx}]
  status:
    podIP: 10.0.0.7
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: deny
    namespace: prod
  spec:
    podSelector: {}
"""
    cluster = load_string(text)
    assert [p.ip for p in cluster.pods] == ["10.0.0.7"]
    assert cluster.network_policies[0].origin.line == 15
    assert cluster.network_policies[0].field_lines["spec.podSelector"] == 21


def test_list_items_are_checked_like_documents():
    text = ("apiVersion: v1\nkind: List\nitems:\n"
            "- apiVersion: v1\n  kind: Pod\n  metadata: {name: Bad}\n  spec: {}\n")
    with pytest.raises(InputError) as info:
        load_string(text)
    found = {(e.path, e.origin.line) for e in info.value.errors}
    assert found == {("metadata.name", 6), ("spec.containers", 7)}


def test_typed_list_items_inherit_kind():
    text = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicyList
items:
- metadata: {name: a, namespace: x}
  spec: {podSelector: {}}
"""
    assert load_string(text).network_policies[0].name == "a"


def test_list_with_wrong_items_type():
    with pytest.raises(InputError) as info:
        load_string("apiVersion: v1\nkind: List\nitems: {a: b}\n")
    assert info.value.errors[0].path == "items"


def test_missing_file_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(InputError) as info:
        load(tmp_path / "nope.yaml")
    assert "no such file" in info.value.errors[0].message


def test_errors_from_all_files_are_collected(tmp_path):
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: A}\n")
    (tmp_path / "b.yaml").write_text("key: [unclosed\n")
    with pytest.raises(InputError) as info:
        load(tmp_path)
    files = {e.origin.file for e in info.value.errors}
    assert files == {str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")}


def test_utf16_with_bom_as_windows_powershell_writes_it(tmp_path):
    (tmp_path / "ps.yaml").write_bytes(pod("winpod").encode("utf-16"))
    assert load(tmp_path / "ps.yaml").pods[0].name == "winpod"


def test_utf8_bom_is_accepted(tmp_path):
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + pod("bom").encode())
    assert load(tmp_path / "bom.yaml").pods[0].name == "bom"


def test_not_utf8_is_an_error(tmp_path):
    (tmp_path / "latin.yaml").write_bytes(pod("caf\xe9").encode("latin-1"))
    with pytest.raises(InputError) as info:
        load(tmp_path / "latin.yaml")
    assert "not UTF-8" in info.value.errors[0].message


def test_a_document_that_is_not_a_mapping():
    with pytest.raises(InputError) as info:
        load_string(pod("a") + "---\n- " + pod("b").replace("\n", "\n  "))
    [error] = info.value.errors
    assert error.origin.line == 10
    assert "not a list" in error.message and "---" in error.message


def test_a_document_without_kind_and_api_version():
    with pytest.raises(InputError) as info:
        load_string("metadata:\n  name: a\n")
    assert "apiVersion and kind are missing" in info.value.errors[0].message


def test_invalid_default_namespace_is_a_programming_error():
    with pytest.raises(ValueError):
        load_string(pod("a"), default_namespace="Not Valid")
