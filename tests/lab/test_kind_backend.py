"""The kind backend against a fake Kubernetes API and a fake command runner: what it creates,
where it refuses to act, what it cleans up, how it probes."""

import pytest

from npkit.cluster.kube import ExecResult
from npkit.cluster.runner import Result
from npkit.cluster.versions import load_versions
from npkit.lab.backend import LabError, ProbeRequest
from npkit.lab.backends.kind import KindBackend, pod_chains
from npkit.loading import load_string

from .fakes import CALICO, FakeClock, FakeKube, healthy_runner

V = load_versions()
SCENARIO = load_string("""
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80, name: http}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {serviceAccountName: robot, containers: [{name: c, image: busybox}]}
""")
DENY = load_string("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
""").policies[0]
GNP_EVERYWHERE = load_string("""
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-external-egress}
spec: {selector: all(), types: [Egress], egress: [{action: Deny, destination: {notNets: [10.0.0.0/8]}}]}
""").policies[0]


def backend(kube=None, runner=None, **kw):
    kube = kube or FakeKube()
    return KindBackend(lab_id="lab-01", runner=runner or healthy_runner(), kube_factory=lambda ctx: kube,
                       clock=FakeClock(), cni=kw.pop("cni", "calico"), **kw), kube


def test_deploy_creates_labelled_namespaces_and_agnhost_pods_and_reads_ips_back():
    b, kube = backend()
    deployed = b.deploy(SCENARIO)
    ns = kube.get("v1", "Namespace", "shop")
    assert ns["metadata"]["labels"] == {"team": "web", "npkit.io/lab": "lab-01", "app.kubernetes.io/managed-by": "npkit"}
    web = kube.get("v1", "Pod", "web", "shop")
    assert web["metadata"]["labels"] == {"app": "web"}  # selectors must see exactly the scenario's labels
    assert [c["image"] for c in web["spec"]["containers"]] == [V.agnhost_image]
    assert web["spec"]["containers"][0]["ports"][0]["name"] == "http"
    assert kube.get("v1", "ServiceAccount", "robot", "shop") is not None
    assert kube.get("v1", "Pod", "client", "shop")["spec"]["serviceAccountName"] == "robot"
    ips = {p.key: p.ip for p in deployed.pods}
    assert all(ip.startswith("192.168.") for ip in ips.values()) and len(set(ips.values())) == 2
    assert not any(p.ip_assigned for p in deployed.pods)
    assert deployed.namespaces["shop"].labels["npkit.io/lab"] == "lab-01"


def test_deploy_refuses_a_namespace_the_lab_did_not_create():
    scenario = load_string("""
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec: {containers: [{name: c, image: nginx}]}
""")
    b, kube = backend()
    with pytest.raises(LabError, match="namespace default already exists and was not created by lab lab-01"):
        b.deploy(scenario)
    assert not [c for c in kube.calls if c[0] == "apply"]


@pytest.mark.parametrize("step", ["deploy", "apply", "teardown"])
def test_nothing_changes_through_a_context_that_is_not_the_labs(step, dump):
    b, kube = backend(FakeKube(context="prod-eu", server="https://prod.example.com"))
    action = {"deploy": lambda: b.deploy(SCENARIO), "apply": lambda: b.apply([DENY]), "teardown": b.teardown}[step]
    with pytest.raises(LabError, match="refusing to change context 'prod-eu'"):
        action()
    assert not [c for c in kube.calls if c[0] in ("apply", "delete")]


def test_an_explicit_context_override_is_honoured():
    kube = FakeKube(context="staging", server="https://staging.example.com")
    b, _ = backend(kube, allow_context="staging")
    b.deploy(SCENARIO)
    assert kube.get("v1", "Pod", "web", "shop") is not None


def test_teardown_removes_only_this_labs_objects_and_can_be_repeated(dump):
    b, kube = backend()
    b.deploy(SCENARIO)
    other_lab = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other", "labels": {"npkit.io/lab": "lab-02"}}}
    kube.apply(other_lab)
    mine = {"apiVersion": CALICO, "kind": "GlobalNetworkPolicy",
            "metadata": {"name": "lab-gnp", "labels": {"npkit.io/lab": "lab-01"}}, "spec": {}}
    theirs = {"apiVersion": CALICO, "kind": "GlobalNetworkPolicy", "metadata": {"name": "admins-gnp"}, "spec": {}}
    kube.apply(mine)
    kube.apply(theirs)
    b.teardown()
    assert kube.namespaces() == {"default", "kube-system", "calico-system", "other"}
    assert kube.get(CALICO, "GlobalNetworkPolicy", "lab-gnp") is None
    assert kube.get(CALICO, "GlobalNetworkPolicy", "admins-gnp") is not None
    b.teardown()  # nothing left: still fine
    assert kube.namespaces() == {"default", "kube-system", "calico-system", "other"}


def test_apply_labels_policies_and_refuses_cluster_wide_ones_that_reach_outside_the_lab(dump):
    b, kube = backend()
    b.deploy(SCENARIO)
    b.apply([DENY])
    applied = kube.get("networking.k8s.io/v1", "NetworkPolicy", "deny", "shop")
    assert applied["metadata"]["labels"]["npkit.io/lab"] == "lab-01"
    with pytest.raises(LabError, match=r"select pods outside this lab's namespaces \(calico-system, default, "
                                       r"kube-system\).*namespaceSelector: npkit.io/lab == 'lab-01'"):
        b.apply([GNP_EVERYWHERE])
    assert kube.get(CALICO, "GlobalNetworkPolicy", "deny-external-egress") is None


def test_calico_objects_on_a_kindnet_cluster_are_refused_with_the_fix(dump):
    b, _ = backend(cni="kindnet")
    b.deploy(SCENARIO)
    gnp = load_string("""
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: g}
spec: {selector: all(), namespaceSelector: "npkit.io/lab == 'lab-01'", types: [Ingress]}
""").policies[0]
    with pytest.raises(LabError, match="--cni calico"):
        b.apply([gnp])
    assert b.dataplane == "kubernetes"


def test_probe_execs_agnhost_connect_in_the_source_pod_and_parses_each_answer():
    def exec_fn(ns, pod, container, argv):
        target = argv[2]
        return ExecResult(1, "", "TIMEOUT\n") if target.startswith(web_ip) else ExecResult(0)

    b, kube = backend(FakeKube(exec_fn=lambda *a: exec_fn(*a)))
    deployed = b.deploy(SCENARIO)
    web_ip = deployed.pod("shop/web").ip
    requests = [ProbeRequest(s, d, 80) for s in ("shop/client", "shop/web") for d in ("shop/client", "shop/web")]
    seen = []
    results = b.probe(requests, timeout=1.5, workers=3, progress=lambda d, t, m: seen.append((d, t)))
    assert [r.request for r in results] == requests  # request order, whatever the workers did
    assert [r.outcome for r in results] == ["CONNECTED", "TIMEOUT", "CONNECTED", "TIMEOUT"]
    execs = [c for c in kube.calls if c[0] == "exec"]
    assert ("exec", "shop", "client", "client", ("/agnhost", "connect", f"{web_ip}:80", "--timeout=1.5s",
                                                  "--protocol=tcp")) in execs
    assert seen[-1] == (4, 4)


def test_probe_reports_pods_the_lab_did_not_deploy_as_errors():
    b, _ = backend()
    (result,) = b.probe([ProbeRequest("x/a", "x/b", 80)])
    assert result.outcome == "ERROR" and "not deployed" in result.detail


def test_up_creates_the_pinned_cluster_installs_calico_in_order_and_waits():
    kube = FakeKube()
    kube.apply({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"},
                "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    for name in ("calico", "apiserver"):
        kube.apply({"apiVersion": "operator.tigera.io/v1", "kind": "TigeraStatus", "metadata": {"name": name},
                    "status": {"conditions": [{"type": "Available", "status": "True"}]}})
    for tier in ("default", "kube-admin", "kube-baseline"):
        kube.apply({"apiVersion": CALICO, "kind": "Tier", "metadata": {"name": tier}})
    runner = healthy_runner(**{"kind get clusters": Result((), 0, "", "No kind clusters found.")})
    b, _ = backend(kube, runner)
    messages = []
    b.up(lambda d, t, m: messages.append(m))
    create = [c for c in runner.calls if c[:3] == ("kind", "create", "cluster")]
    assert len(create) == 1
    assert create[0][create[0].index("--image") + 1] == V.node_image
    assert create[0][create[0].index("--config") + 1].endswith("cluster/kind-calico.yaml")
    urls = [c[-1] for c in runner.calls if "create" in c and c[0] == "kubectl"]
    assert urls == list(V.calico_manifests())
    assert all(("--context", "kind-npkit-lab") == c[1:3] for c in runner.calls if c[0] == "kubectl" and "create" in c)
    assert messages[-1].startswith("lab cluster ready")


def test_up_stops_at_preflight_with_every_problem_listed():
    runner = healthy_runner()
    runner.programs -= {"docker", "kind"}
    b, _ = backend(runner=runner)
    with pytest.raises(LabError) as e:
        b.up()
    assert "no container runtime" in str(e.value) and "kind is not installed" in str(e.value)
    assert not [c for c in runner.calls if c[:2] == ("kind", "create")]


def test_calico_install_rerun_tolerates_already_existing_objects():
    runner = healthy_runner(**{"kubectl --context": Result(
        (), 1, "", 'Error from server (AlreadyExists): customresourcedefinitions "tiers.projectcalico.org" already exists\n')})
    from npkit.cluster import calico

    calico.install(runner, V, "kind-npkit-lab")  # no exception
    failing = healthy_runner(**{"kubectl --context": Result((), 1, "", "Unable to connect to the server: dial tcp")})
    with pytest.raises(RuntimeError, match="raw.githubusercontent.com"):
        calico.install(failing, V, "kind-npkit-lab")


def test_down_deletes_the_kind_cluster_by_name_and_usable_explains_a_missing_one():
    runner = healthy_runner(**{"kind get clusters": Result((), 0, "", "No kind clusters found.")})
    b, _ = backend(runner=runner)
    b.down()
    b.down()
    assert runner.calls.count(("kind", "delete", "cluster", "--name", "npkit-lab")) == 2
    assert b.usable() == ["no kind cluster named npkit-lab: run `npkit lab up --name npkit-lab`"]


def test_pod_chains_follow_jumps_from_the_pods_interface():
    save = "\n".join([
        ":cali-tw-calie1 - [0:0]", "-A cali-tw-calie1 -m comment --comment \"Start of tier default\" -j MARK",
        "-A cali-tw-calie1 -j cali-pi-_abc", "-A cali-tw-calie1 -j cali-pri-kns.shop",
        "-A cali-fw-calie1 -j cali-pro-kns.shop", "-A cali-pi-_abc -j DROP", "-A cali-pri-kns.shop -j ACCEPT",
        "-A cali-pro-kns.shop -j ACCEPT", "-A cali-tw-caliother -j DROP", "-A FORWARD -j cali-FORWARD",
    ])
    out = pod_chains(save, "calie1").splitlines()
    assert out[0].startswith("-A cali-tw-calie1") and "-A cali-pi-_abc -j DROP" in out
    assert not any("caliother" in line or "FORWARD" in line for line in out)


def test_an_object_the_manifest_writer_cannot_express_is_a_lab_error_not_a_crash(dump):
    b, kube = backend()
    b.deploy(SCENARIO)
    domains = load_string("""
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: to-docs}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {matchLabels: {npkit.io/lab: lab-01}}}
  egress: [{action: Accept, to: [{domainNames: [kubernetes.io]}]}]
""").policies[0]
    with pytest.raises(LabError, match="cannot apply ClusterNetworkPolicy to-docs"):
        b.apply([domains])
