"""The kind backend against a fake Kubernetes API and a fake command runner: what it creates,
where it refuses to act, what it cleans up, how it probes and reads logs."""

import contextlib

import pytest

from npkit.cluster.kernel_log import calico_interface
from npkit.cluster.kube import ExecResult, KubeError
from npkit.cluster.runner import Result
from npkit.cluster.versions import load_versions
from npkit.lab.backend import LabError, ProbeRequest
from npkit.lab.backends.kind import KindBackend, pod_chains
from npkit.loading import load_string

from .fakes import CALICO, FakeClock, FakeKube, healthy_runner, installed_cluster, roomy_sysctl

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
    kube = kube or installed_cluster()
    return KindBackend(lab_id="lab-01", runner=runner or healthy_runner(), kube_factory=lambda ctx: kube,
                       clock=FakeClock(), sysctl=roomy_sysctl, **kw), kube


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


def test_pods_wait_for_the_namespaces_default_service_account():
    # The ServiceAccount controller makes `default` a moment after the namespace; admission refuses
    # a pod whose account does not exist yet ("serviceaccount default not found").
    b, kube = backend(installed_cluster(sa_after=3))
    b.deploy(SCENARIO)
    assert kube.get("v1", "Pod", "web", "shop") is not None


def test_deploy_creates_the_scenarios_network_sets_that_the_prediction_uses():
    scenario = SCENARIO.merged(load_string("""
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: {name: partners, namespace: shop, labels: {role: partner}}
spec: {nets: [198.51.100.0/24]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: lab-01-internet, labels: {role: internet}}
spec: {nets: [0.0.0.0/0]}
"""))
    b, kube = backend()
    b.deploy(scenario)
    assert kube.get(CALICO, "NetworkSet", "partners", "shop")["spec"]["nets"] == ["198.51.100.0/24"]
    gns = kube.get(CALICO, "GlobalNetworkSet", "lab-01-internet")
    assert gns["metadata"]["labels"]["npkit.io/lab"] == "lab-01" and gns["metadata"]["labels"]["role"] == "internet"
    b.teardown()
    assert kube.get(CALICO, "GlobalNetworkSet", "lab-01-internet") is None


def test_deploy_refuses_a_namespace_the_lab_did_not_create():
    scenario = load_string("""
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec: {containers: [{name: c, image: nginx}]}
""")
    b, kube = backend()
    with pytest.raises(LabError, match="Namespace default already exists on the cluster and was not created by "
                                       "lab lab-01"):
        b.deploy(scenario)
    assert kube.writes() == []


@pytest.mark.parametrize("step", ["deploy", "apply", "teardown", "status", "usable", "rules", "describe", "cni"])
@pytest.mark.parametrize(("context", "server"), [("prod-eu", "https://prod.example.com"),
                                                 ("kind-npkit-lab", "https://prod.example.com:6443")])
def test_nothing_is_sent_through_a_context_that_is_not_the_labs(step, context, server):
    # Reads too: they would carry the context's credentials to that server.
    kube = FakeKube(context=context, server=server)
    b, _ = backend(kube)
    action = {"deploy": lambda: b.deploy(SCENARIO), "apply": lambda: b.apply([DENY]), "teardown": b.teardown,
              "status": b.status, "usable": b.usable, "rules": lambda: b.rules("shop/web"), "describe": b.describe,
              "cni": lambda: b.cni}[step]
    with contextlib.suppress(LabError):
        action()
    assert kube.calls == []
    assert "refusing to use context" in b.usable()[0] or "not on this machine" in b.usable()[0]


def test_an_explicit_context_override_is_honoured():
    kube = installed_cluster(context="staging", server="https://staging.example.com")
    b, _ = backend(kube, allow_context="staging")
    b.deploy(SCENARIO)
    assert kube.get("v1", "Pod", "web", "shop") is not None


def test_teardown_removes_only_this_labs_objects_and_can_be_repeated():
    b, kube = backend()
    b.deploy(SCENARIO)
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other", "labels": {"npkit.io/lab": "lab-02"}}})
    kube.create({"apiVersion": CALICO, "kind": "GlobalNetworkPolicy", "metadata": {"name": "admins-gnp"}, "spec": {}})
    b.teardown()
    assert kube.namespaces() == {"default", "kube-system", "calico-system", "other"}
    assert kube.get(CALICO, "GlobalNetworkPolicy", "admins-gnp") is not None
    b.teardown()  # nothing left: still fine
    assert kube.namespaces() == {"default", "kube-system", "calico-system", "other"}


def test_apply_labels_policies_and_refuses_cluster_wide_ones_that_reach_outside_the_lab():
    b, kube = backend()
    b.deploy(SCENARIO)
    b.apply([DENY])
    applied = kube.get("networking.k8s.io/v1", "NetworkPolicy", "deny", "shop")
    assert applied["metadata"]["labels"]["npkit.io/lab"] == "lab-01"
    with pytest.raises(LabError, match=r"select pods outside this lab's namespaces \(calico-system, default, "
                                       r"kube-system\).*namespaceSelector: npkit.io/lab == 'lab-01'"):
        b.apply([GNP_EVERYWHERE])
    assert kube.get(CALICO, "GlobalNetworkPolicy", "deny-external-egress") is None


def test_calico_objects_on_a_kindnet_cluster_are_refused_with_the_fix():
    b, _ = backend(installed_cluster(cni="kindnet"))
    b.deploy(SCENARIO)
    gnp = load_string("""
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: g}
spec: {selector: all(), namespaceSelector: "npkit.io/lab == 'lab-01'", types: [Ingress]}
""").policies[0]
    with pytest.raises(LabError, match="--cni calico"):
        b.apply([gnp])
    assert b.dataplane == "kubernetes" and b.cni == "kindnet"


def test_the_cni_is_what_the_cluster_runs_not_what_was_asked():
    b, _ = backend(installed_cluster(cni="calico"), cni="kindnet")
    assert b.cni == "calico" and b.dataplane == "calico"


def test_probe_execs_agnhost_connect_in_the_source_pod_and_parses_each_answer():
    def exec_fn(ns, pod, container, argv):
        target = argv[2]
        return ExecResult(1, "", "TIMEOUT\n") if target.startswith(web_ip) else ExecResult(0)

    b, kube = backend(installed_cluster(exec_fn=lambda *a: exec_fn(*a)))
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


def test_an_image_pull_error_is_waited_for_then_named_with_the_fix():
    # kubelet retries pulls: ErrImagePull on first sight is not the end, only a wait that runs out is.
    kube = installed_cluster(ready_after=3)
    original = kube.get
    pulls = {"n": 0}

    def get(api, kind, name, namespace=None):
        obj = original(api, kind, name, namespace)
        if kind == "Pod" and obj is not None and pulls["n"] < 2:
            pulls["n"] += 1
            obj["status"] = {"phase": "Pending", "containerStatuses": [{"name": "serve-tcp-80", "state": {
                "waiting": {"reason": "ErrImagePull", "message": "dial tcp: i/o timeout"}}}]}
        return obj

    kube.get = get
    b, _ = backend(kube)
    b.deploy(SCENARIO)  # recovered after two ErrImagePull answers
    stuck = installed_cluster()
    stuck_get = stuck.get

    def never(api, kind, name, namespace=None):
        obj = stuck_get(api, kind, name, namespace)
        if kind == "Pod" and obj is not None:
            obj["status"] = {"phase": "Pending", "containerStatuses": [{"name": "c", "state": {
                "waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}}]}
        return obj

    stuck.get = never
    b, _ = backend(stuck, pod_timeout=10)
    with pytest.raises(LabError, match="ImagePullBackOff.*could not pull .*registry.k8s.io"):
        b.deploy(SCENARIO)


def test_logs_read_the_shared_kernel_log_once_and_keep_only_this_labs_pods():
    b, kube = backend()
    b.deploy(SCENARIO)
    client, web = calico_interface("shop", "client"), calico_interface("shop", "web")
    dmesg = "\n".join([
        f"[ 812.1] calico-packet: IN={client} OUT={web} MAC= SRC=192.168.0.2 DST=192.168.0.3 PROTO=TCP DPT=80",
        "[ 812.2] calico-packet: IN=cali0123456789a OUT=eth0 SRC=10.244.1.5 DST=1.1.1.1 PROTO=UDP DPT=53",  # another cluster
        "[ 812.3] eth0: link up",
        f"[ 813.0] calico-packet: IN=vxlan.calico OUT={web} SRC=192.168.1.9 DST=192.168.0.3 PROTO=TCP DPT=80",
    ])
    runner = b.runner
    runner.answers[("docker", "exec")] = Result((), 0, dmesg, "")
    lines = b.logs().splitlines()
    assert [c for c in runner.calls if c[:2] == ("docker", "exec")] == [
        ("docker", "exec", "npkit-lab-control-plane", "dmesg")]  # once, not once per node
    assert lines == [
        f"npkit-lab-worker [shop/client → shop/web] [ 812.1] calico-packet: IN={client} OUT={web} MAC= "
        "SRC=192.168.0.2 DST=192.168.0.3 PROTO=TCP DPT=80",
        f"npkit-lab-worker [(outside) → shop/web] [ 813.0] calico-packet: IN=vxlan.calico OUT={web} "
        "SRC=192.168.1.9 DST=192.168.0.3 PROTO=TCP DPT=80"]


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


def test_an_object_the_manifest_writer_cannot_express_is_a_lab_error_not_a_crash():
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


def test_status_with_the_api_down_is_a_clear_environment_error():
    kube = installed_cluster()

    def down(*args, **kwargs):
        raise KubeError("reading the server version: the API server https://127.0.0.1:40123 does not answer "
                        "(Connection refused)")

    kube.version = down
    kube.list = down
    b, _ = backend(kube)
    with pytest.raises(LabError) as e:
        b.status()
    message = str(e.value)
    assert "kind cluster npkit-lab exists, but its API does not answer" in message
    assert "docker start npkit-lab-control-plane npkit-lab-worker npkit-lab-worker2" in message
    assert b.usable()[0].startswith("kind cluster npkit-lab exists, but its API does not answer")


def test_status_and_usable_say_when_kind_itself_cannot_list_clusters():
    from .fakes import KIND_LIST_DOCKER_DOWN

    runner = healthy_runner(**{"kind get clusters": Result((), 1, "", KIND_LIST_DOCKER_DOWN)})
    b, _ = backend(runner=runner)
    (problem,) = b.usable()
    assert problem.startswith("`kind get clusters` failed: ERROR: failed to list clusters")
    assert "Cannot connect to the Docker daemon" in problem and "known-issues" in problem


def test_status_lists_every_lab_present_with_its_age_and_clean_says_what_is_left():
    b, kube = backend()
    kube.now = "2026-01-01T00:00:00Z"
    b.deploy(SCENARIO)
    other, _ = backend(kube)
    other.lab_id = "lab-02"
    kube.now = "2026-01-02T00:00:00Z"
    other.deploy(load_string("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: two}\n"
                             "spec: {containers: [{name: c, image: x}]}\n"))
    records = {r.lab_id: r for r in b.labs()}
    assert set(records) == {"lab-01", "lab-02"}
    assert records["lab-01"].age > records["lab-02"].age > 0
    assert records["lab-01"].detail == "namespaces shop" and "kind cluster npkit-lab" in records["lab-01"].state
    report = b.clean()
    assert report.removed == ("namespace shop",) and report.left == ()
    assert "nothing of it is left on kind cluster npkit-lab" in report.message()
    assert [r.lab_id for r in b.labs()] == ["lab-02"]


def test_the_verbose_status_has_what_a_bug_report_needs():
    b, kube = backend()
    kube.objects[("operator.tigera.io/v1", "TigeraStatus", None, "goldmane")]["status"]["conditions"] = [
        {"type": "Available", "status": "False"}, {"type": "Degraded", "status": "True", "message": "pod crashed"}]
    text = b.status_report()
    assert f"npkit pins: kind {V.kind}, node image {V.node_image}, Calico {V.calico}" in text
    assert "kind version: kind v0.31.0 go1.25.5 linux/amd64" in text
    assert "docker info: Cgroup Version: 2" in text
    assert "TigeraStatus goldmane: Available=False, Degraded=True (pod crashed)" in text
    assert "Calico: waiting for goldmane (pod crashed)" in text
