"""One pinned versions file, read by the code; nothing else hard-codes a version."""

import re
from pathlib import Path

import pytest

from npkit.cluster.versions import Versions, load_versions, parse_version

ROOT = Path(__file__).resolve().parents[2]


def test_the_pinned_file_loads_and_is_consistent():
    v = load_versions()
    assert v.calico.startswith("v3.32.")
    assert parse_version(v.kind) >= parse_version(v.kind_min) >= (0, 24, 0)
    assert "@sha256:" in v.node_image  # the node image is pinned by digest
    assert all(u.startswith(f"{v.calico_manifest_base}/{v.calico}/manifests/") for u in v.calico_manifests())


def test_manifest_names_follow_the_calico_release():
    def names(version):
        return [u.rsplit("/", 1)[1] for u in Versions("", "", "", version, "b", "", "").calico_manifests()]

    assert names("v3.32.1")[0] == "v1_crd_projectcalico_org.yaml"
    assert names("v3.31.7")[0] == "operator-crds.yaml"
    assert names("v3.29.7") == ["tigera-operator.yaml"]


def test_a_broken_versions_file_is_an_error_naming_the_file(tmp_path):
    bad = tmp_path / "versions.env"
    bad.write_text("KIND_VERSION=v0.31.0\nthis is not a pair\n")
    with pytest.raises(ValueError, match="versions.env:2"):
        load_versions(bad)
    bad.write_text("KIND_VERSION=v0.31.0\n")
    with pytest.raises(ValueError, match="missing KIND_MIN_VERSION"):
        load_versions(bad)
    with pytest.raises(FileNotFoundError, match="NPKIT_CLUSTER_DIR"):
        load_versions(tmp_path / "absent.env")


def test_no_other_file_hard_codes_a_pinned_version():
    v = load_versions()
    pinned = [v.calico, v.node_image.split("@")[0], v.agnhost_image, v.node_image.split("@")[1]]
    places = [*ROOT.joinpath("npkit").rglob("*.py"), *ROOT.joinpath("cluster").glob("*.yaml"),
              *ROOT.joinpath("labs").rglob("*.ipynb"), *ROOT.joinpath("labs").rglob("*.yaml")]
    offenders = [f"{p.relative_to(ROOT)}: {value}" for p in places for value in pinned
                 if value in p.read_text(encoding="utf-8")]
    assert not offenders, offenders
    # and the kind configs name no image at all
    for config in ROOT.joinpath("cluster").glob("kind-*.yaml"):
        assert not re.search(r"^\s*image:", config.read_text(), re.M), config
