"""`npkit lab up` and `down` against fake kind / kubectl / docker outputs copied from the real tools:
the pinned cluster, the Calico install with the kind config's pod subnet, what is reused and what
is refused, and what a failure leaves behind (nothing)."""

import shutil
from pathlib import Path

import pytest
import yaml

from npkit.cluster import calico
from npkit.cluster.kind import KindError
from npkit.cluster.runner import Result
from npkit.cluster.versions import load_versions
from npkit.lab.backend import LabError
from npkit.lab.backends.kind import KindBackend

from .fakes import (
    KIND_ALREADY_EXISTS,
    KIND_CREATE_FAILED,
    FakeClock,
    FakeKube,
    healthy_runner,
    install_calico,
    installed_cluster,
    roomy_sysctl,
)

V = load_versions()
CLUSTER_DIR = Path(__file__).resolve().parents[2] / "cluster"
NO_CLUSTERS = Result((), 0, "", "No kind clusters found.\n")


def backend(kube=None, runner=None, **kw):
    kube = kube or installed_cluster()
    contexts = []

    def factory(context):
        contexts.append(context)
        return kube

    b = KindBackend(runner=runner or healthy_runner(), kube_factory=factory, clock=FakeClock(),
                    sysctl=kw.pop("sysctl", roomy_sysctl), **kw)
    return b, kube, contexts


def kubectl_creates(runner):
    return [c for c in runner.calls if c[0] == "kubectl" and "create" in c]


def test_up_creates_the_pinned_cluster_installs_calico_in_order_and_waits():
    runner = healthy_runner(**{"kind get clusters": NO_CLUSTERS})
    b, _, contexts = backend(runner=runner)
    messages = []
    b.up(lambda d, t, m: messages.append(m))
    create = [c for c in runner.calls if c[:3] == ("kind", "create", "cluster")]
    assert len(create) == 1
    assert create[0][create[0].index("--image") + 1] == V.node_image
    assert create[0][create[0].index("--config") + 1].endswith("cluster/kind-calico.yaml")
    assert [c[-1] for c in kubectl_creates(runner)] == [*V.calico_manifests(), "-"]
    assert all(c[1:3] == ("--context", "kind-npkit-lab") for c in kubectl_creates(runner))
    (resources,) = runner.inputs
    kinds = [d["kind"] for d in yaml.safe_load_all(resources)]
    assert kinds == ["Installation", "APIServer", "Goldmane", "Whisker"]  # upstream custom-resources.yaml's four
    assert "kind: ✓ Preparing nodes 📦 📦 📦" in messages  # kind's own progress, streamed
    assert messages[-1].startswith("lab cluster ready")
    assert set(contexts) == {"kind-npkit-lab"}


def test_the_ip_pool_follows_the_kind_configs_pod_subnet(tmp_path, monkeypatch):
    # A learner on a 192.168.x LAN changes podSubnet in cluster/kind-calico.yaml: the pool follows,
    # so the operator accepts it ("IPPool ... is not within the platform's configured pod network CIDR(s)").
    for f in CLUSTER_DIR.iterdir():
        shutil.copy(f, tmp_path / f.name)
    config = tmp_path / "kind-calico.yaml"
    config.write_text(config.read_text().replace("podSubnet: 192.168.0.0/16", "podSubnet: 10.10.0.0/16"))
    monkeypatch.setenv("NPKIT_CLUSTER_DIR", str(tmp_path))
    runner = healthy_runner(**{"kind get clusters": NO_CLUSTERS})
    b, _, _ = backend(installed_cluster(pod_subnet="10.10.0.0/16"), runner)
    b.up()
    (installation, *_) = yaml.safe_load_all(runner.inputs[0])
    assert installation["spec"]["calicoNetwork"]["ipPools"][0]["cidr"] == "10.10.0.0/16"
    assert installation["spec"]["calicoNetwork"]["ipPools"][0]["encapsulation"] == "VXLANCrossSubnet"


def test_custom_resources_keep_upstreams_settings_apart_from_the_cidr():
    (installation, apiserver, *_) = yaml.safe_load_all(calico.custom_resources(CLUSTER_DIR, "192.168.0.0/16"))
    assert installation["spec"]["calicoNetwork"]["ipPools"] == [
        {"name": "default-ipv4-ippool", "blockSize": 26, "cidr": "192.168.0.0/16",
         "encapsulation": "VXLANCrossSubnet", "natOutgoing": "Enabled", "nodeSelector": "all()"}]
    assert apiserver == {"apiVersion": "operator.tigera.io/v1", "kind": "APIServer",
                         "metadata": {"name": "default"}, "spec": {}}
    with pytest.raises(calico.InstallError, match="IPv4"):
        calico.custom_resources(CLUSTER_DIR, "fd00:10:244::/64")


def test_up_never_touches_another_context():
    runner = healthy_runner()
    b, kube, contexts = backend(runner=runner, allow_context="prod")
    with pytest.raises(LabError, match="only creates and sets up the kind cluster npkit-lab .*Leave --context out"):
        b.up()
    assert kubectl_creates(runner) == [] and contexts == [] and kube.calls == []


@pytest.mark.parametrize(("existing", "asked", "why"), [
    (dict(cni="kindnet"), "calico", "it runs kindnet, not Calico"),
    (dict(cni="calico"), "kindnet", "it runs Calico, not kindnet"),
    (dict(cni="none"), "kindnet", "it was made for Calico"),
    (dict(cni="calico", pod_subnet="10.244.0.0/16"), "calico",
     "its pod subnet is 10.244.0.0/16, and cluster/kind-calico.yaml asks for 192.168.0.0/16"),
])
def test_an_existing_cluster_is_reused_only_when_it_is_what_up_would_make(existing, asked, why):
    runner = healthy_runner()
    b, kube, _ = backend(installed_cluster(**existing), runner, cni=asked)
    with pytest.raises(LabError, match=f"already exists, but {why}.*run `npkit lab down` first"):
        b.up()
    assert kubectl_creates(runner) == [] and kube.writes() == []
    assert not [c for c in runner.calls if c[:2] in (("kind", "create"), ("kind", "delete"))]


def test_an_existing_lab_cluster_is_reused_and_calico_reinstalled_safely():
    already = Result((), 1, "", "Warning: resource customresourcedefinitions/x is deprecated\n"
                                'Error from server (AlreadyExists): customresourcedefinitions.apiextensions.k8s.io '
                                '"tiers.projectcalico.org" already exists\n')
    runner = healthy_runner(**{"kubectl --context": already})
    b, _, _ = backend(installed_cluster(), runner)
    b.up()
    assert not [c for c in runner.calls if c[:2] == ("kind", "create")]
    assert b.cni == "calico"


def test_an_interrupted_calico_install_is_finished_on_the_next_up():
    runner = healthy_runner()
    kube = installed_cluster(cni="none")  # kind made it, Calico never got installed
    runner.on_call[("kubectl", "--context", "kind-npkit-lab", "create", "-f", "-")] = lambda argv: install_calico(kube)
    b, _, _ = backend(kube, runner)
    b.up()
    assert len(kubectl_creates(runner)) == 3 and b.cni == "calico"


def test_a_failed_kind_create_reports_kinds_error_and_its_output_and_leaves_nothing():
    runner = healthy_runner(**{"kind get clusters": NO_CLUSTERS,
                               "kind create cluster": Result((), 1, "", KIND_CREATE_FAILED)})
    b, _, _ = backend(runner=runner)
    with pytest.raises(LabError) as e:
        b.up()
    message = str(e.value)
    assert message.startswith("`kind create cluster --name npkit-lab` failed: ERROR: failed to create cluster: "
                              "failed to init node with kubeadm")
    assert "The kubelet is not healthy after 4m0.000437s" in message  # the tail of kind's command output
    assert "error execution phase wait-control-plane" in message
    assert "https://kind.sigs.k8s.io/docs/user/known-issues/" in message
    assert ("kind", "delete", "cluster", "--name", "npkit-lab") in runner.calls


def test_a_kind_create_that_times_out_is_deleted_so_the_next_up_does_not_reuse_half_a_cluster():
    runner = healthy_runner(**{"kind get clusters": NO_CLUSTERS, "kind create cluster": Result(
        (), 124, "", 'Creating cluster "npkit-lab" ...\n • Ensuring node image (kindest/node:v1.35.0) 🖼  ...\n'
                     "kind did not finish within 1800 s\n")})
    b, _, _ = backend(runner=runner)
    with pytest.raises(LabError, match="did not finish within 1800 s"):
        b.up()
    assert runner.calls[-1] == ("kind", "delete", "cluster", "--name", "npkit-lab")


def test_kind_create_is_not_followed_by_a_delete_of_a_cluster_that_was_already_there():
    from npkit.cluster.kind import Kind

    runner = healthy_runner(**{"kind create cluster": Result((), 1, "", KIND_ALREADY_EXISTS)})
    with pytest.raises(KindError, match="node\\(s\\) already exist"):
        Kind(runner).create("npkit-lab", CLUSTER_DIR / "kind-calico.yaml", V.node_image)
    assert not [c for c in runner.calls if c[:2] == ("kind", "delete")]


def test_up_reports_preflight_notes_as_progress():
    runner = healthy_runner(**{"kind get clusters": NO_CLUSTERS})
    low = {"fs.inotify.max_user_watches": "8192", "fs.inotify.max_user_instances": "128"}
    b, _, _ = backend(runner=runner, sysctl=low.get)
    messages = []
    b.up(lambda d, t, m: messages.append(m))
    assert any(m.startswith("note: inotify limits are low") for m in messages)


def test_up_stops_at_preflight_with_every_problem_listed():
    runner = healthy_runner()
    runner.programs -= {"docker", "kind"}
    b, _, _ = backend(runner=runner)
    with pytest.raises(LabError) as e:
        b.up()
    assert "no container runtime" in str(e.value) and "kind is not installed" in str(e.value)
    assert not [c for c in runner.calls if c[:2] == ("kind", "create")]


def test_calico_install_failures_say_what_to_check():
    failing = healthy_runner(**{"kubectl --context": Result((), 1, "", "Unable to connect to the server: dial tcp")})
    with pytest.raises(calico.InstallError, match="raw.githubusercontent.com"):
        calico.install(failing, V, "kind-npkit-lab", CLUSTER_DIR, "192.168.0.0/16")


def test_custom_resources_wait_until_the_operators_crds_are_served():
    runner = healthy_runner()
    answers = iter([Result((), 1, "", 'error: resource mapping not found for name: "default" namespace: "" from '
                                      '"STDIN": no matches for kind "Installation" in version "operator.tigera.io/v1"\n'
                                      "ensure CRDs are installed first\n")] * 2 + [Result((), 0, "", "")])
    runner.on_call[("kubectl", "--context", "kind-npkit-lab", "create", "-f", "-")] = \
        lambda argv: runner.answers.__setitem__(("kubectl", "--context", "kind-npkit-lab", "create", "-f", "-"),
                                                next(answers))
    calico.install(runner, V, "kind-npkit-lab", CLUSTER_DIR, "192.168.0.0/16", clock=FakeClock())
    assert len([c for c in runner.calls if c[-1] == "-"]) == 3


def test_down_deletes_the_kind_cluster_by_name_and_usable_explains_a_missing_one():
    runner = healthy_runner(**{"kind get clusters": NO_CLUSTERS})
    b, _, _ = backend(runner=runner)
    b.down()
    b.down()
    assert runner.calls.count(("kind", "delete", "cluster", "--name", "npkit-lab")) == 2
    assert b.usable() == ["no kind cluster named npkit-lab: run `npkit lab up --name npkit-lab`"]


def test_calico_is_ready_only_with_every_component_of_a_real_install_available():
    kube = installed_cluster()
    assert calico.status_waiting(kube) == []
    whisker = kube.objects[("operator.tigera.io/v1", "TigeraStatus", None, "whisker")]
    whisker["status"]["conditions"] = [{"type": "Available", "status": "False"},
                                       {"type": "Progressing", "status": "True", "message": "Waiting for pods"}]
    assert calico.status_waiting(kube) == ["whisker (Waiting for pods)"]
    assert calico.status_waiting(FakeKube(cni="kindnet")) == [
        "the Tigera operator (its TigeraStatus API is not served yet)"]


def test_ctrl_c_during_kind_create_deletes_the_half_made_cluster():
    runner = healthy_runner(**{"kind get clusters": NO_CLUSTERS})

    def interrupt(argv):
        raise KeyboardInterrupt

    runner.on_call[("kind", "create", "cluster")] = interrupt
    b, _, _ = backend(runner=runner)
    with pytest.raises(KeyboardInterrupt):
        b.up()
    assert runner.calls[-1] == ("kind", "delete", "cluster", "--name", "npkit-lab")
