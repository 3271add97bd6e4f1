"""Pods, and workloads as one representative pod each: what is read, what is checked, what is ignored."""

from __future__ import annotations

import textwrap

import kubernetes.client as k8s_client
import pytest

from npkit.loading import load_string, podspec, workloads
from npkit.model import ContainerPort, InputError, ObjectRef

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web, tier: front}
  annotations: {note: anything}
spec:
  serviceAccountName: web-sa
  containers:
  - name: app
    image: nginx
    ports:
    - {name: http, containerPort: 8080}
    - {name: dns, containerPort: 53, protocol: UDP}
    resources: {limits: {cpu: "1", whatever: [1, 2, {deep: yes}]}}
    livenessProbe: {httpGet: {path: /, port: http}, anyKeyHere: 1}
  - name: sidecar
    image: envoy
    ports: [{containerPort: 9901}]
  initContainers:
  - {name: init, image: busybox, ports: [{containerPort: 7000}]}
  volumes:
  - name: data
    emptyDir: {}
    madeUpVolumeField: ignored
status:
  phase: Running
  podIP: 10.1.2.3
  podIPs: [{ip: 10.1.2.3}]
  conditions: [{type: Ready, status: "True", freeForm: true}]
"""


def errors(text: str):
    with pytest.raises(InputError) as info:
        load_string(textwrap.dedent(text), "w.yaml")
    return info.value.errors


def only_error(text: str):
    [error] = errors(text)
    return error


def test_pod_fields_npkit_uses():
    [pod] = load_string(POD).pods
    assert (pod.key, pod.labels, pod.ip, pod.ip_assigned) == ("shop/web", {"app": "web", "tier": "front"},
                                                              "10.1.2.3", False)
    assert pod.ports == (ContainerPort(8080, "TCP", "http"), ContainerPort(53, "UDP", "dns"),
                         ContainerPort(9901, "TCP", None))
    assert (pod.service_account, pod.host_network, pod.workload) == ("web-sa", False, None)
    assert pod.named_port("http", "TCP") == 8080


def test_deprecated_service_account_and_host_network():
    text = POD.replace("serviceAccountName: web-sa", "serviceAccount: old-sa\n  hostNetwork: true")
    [pod] = load_string(text).pods
    assert (pod.service_account, pod.host_network) == ("old-sa", True)


def test_service_account_defaults_to_default():
    assert load_string(POD.replace("  serviceAccountName: web-sa\n", "")).pods[0].service_account == "default"


def test_ip_from_pod_ips_when_pod_ip_is_absent():
    text = POD.replace("  podIP: 10.1.2.3\n", "").replace("10.1.2.3}", "fd00::5}")
    assert load_string(text).pods[0].ip == "fd00::5"


@pytest.mark.parametrize("replace,path,line_snippet,words", [
    ("  containers:\n", "  contianers:\n", "spec.contianers", 'did you mean "containers"'),
    ("    image: nginx\n", "    imagePullPolicey: Always\n    image: nginx\n",
     "spec.containers[0].imagePullPolicey", 'did you mean "imagePullPolicy"'),
    ("{name: http, containerPort: 8080}", "{name: http, containerPort: 8080, protocl: TCP}",
     "spec.containers[0].ports[0].protocl", 'did you mean "protocol"'),
    ("  labels: {app: web", "  lables: {app: web", "metadata.lables", 'did you mean "labels"'),
    ("status:\n", "statuss:\n", "statuss", 'did you mean "status"'),
])
def test_typos_in_pod_field_names(replace, path, line_snippet, words):
    text = POD.replace(replace, path)
    error = only_error(text)
    assert error.path == line_snippet
    assert words in error.message
    assert error.origin.line == next(i for i, line in enumerate(text.splitlines(), 1)
                                     if line_snippet.rsplit(".", 1)[-1].split("[")[0] in line)


@pytest.mark.parametrize("old,new,path,words", [
    ("containerPort: 8080", "containerPort: 0", "spec.containers[0].ports[0].containerPort", "between 1"),
    ("containerPort: 8080", "containerPort: '8080'", "spec.containers[0].ports[0].containerPort",
     "remove the quotes"),
    ("{name: http, containerPort: 8080}", "{name: http}", "spec.containers[0].ports[0].containerPort",
     "missing"),
    ("protocol: UDP", "protocol: udp", "spec.containers[0].ports[1].protocol", "TCP, UDP, SCTP"),
    ("{name: http,", "{name: HTTP_PORT,", "spec.containers[0].ports[0].name", "port name"),
    ("{name: dns,", "{name: http,", "spec.containers[0].ports[1].name", "used twice"),
    ("  - name: sidecar", "  - name: app", "spec.containers[1].name", "unique"),
    ("  - name: sidecar", "  - name: Side_Car", "spec.containers[1].name", "lowercase"),
    ("    image: envoy\n", "", "spec.containers[1].image", "missing"),
    ("podIP: 10.1.2.3\n", "podIP: 10.1.2.300\n", "status.podIP", "valid IP address"),
    ("serviceAccountName: web-sa", "serviceAccountName: Web_SA", "spec.serviceAccountName", "lowercase"),
    ("serviceAccountName: web-sa", "hostNetwork: yes please", "spec.hostNetwork", "true or false"),
    ("labels: {app: web,", "labels: {app: 3,", "metadata.labels.app", "must be a string"),
])
def test_pod_validation(old, new, path, words):
    error = only_error(POD.replace(old, new))
    assert error.path == path
    assert words in error.message
    assert str(error.obj) == "Pod shop/web"


def test_pod_without_containers():
    assert only_error("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n").path == "spec"
    assert only_error("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {}\n").path == "spec.containers"
    error = only_error("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: []}\n")
    assert "at least one container" in error.message


def test_same_port_name_in_two_containers_is_a_warning():
    sidecar_ports = "ports: [{containerPort: 9901}]"
    cluster = load_string(POD.replace(sidecar_ports, "ports: [{containerPort: 9901, name: http}]"))
    [warning] = cluster.warnings
    assert warning.path == "spec.containers[1].ports[0].name"


def test_pod_ip_mismatch_is_a_warning():
    cluster = load_string(POD.replace("podIPs: [{ip: 10.1.2.3}]", "podIPs: [{ip: 10.9.9.9}]"))
    assert cluster.pods[0].ip == "10.1.2.3"
    assert cluster.warnings[0].path == "status.podIPs[0].ip"


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  namespace: shop
  labels: {owner: team-a}
spec:
  replicas: 3
  selector:
    matchLabels: {app: frontend}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%}}
  template:
    metadata:
      labels: {app: frontend, version: v2}
    spec:
      serviceAccountName: front
      containers:
      - name: web
        image: nginx
        ports: [{name: http, containerPort: 80}]
status: {replicas: 3, anything: goes}
"""


def test_deployment_becomes_one_pod_named_after_it():
    [pod] = load_string(DEPLOYMENT).pods
    assert (pod.key, pod.labels) == ("shop/frontend", {"app": "frontend", "version": "v2"})
    assert pod.ports == (ContainerPort(80, "TCP", "http"),)
    assert pod.service_account == "front"
    assert pod.workload == ObjectRef("Deployment", "frontend", "shop")
    assert pod.ip_assigned and pod.ip.startswith("10.244.")


@pytest.mark.parametrize("api_version,kind,spec_extra", [
    ("apps/v1", "StatefulSet", "  serviceName: db\n"),
    ("apps/v1", "DaemonSet", "  updateStrategy: {type: OnDelete}\n"),
    ("apps/v1", "ReplicaSet", "  minReadySeconds: 5\n"),
    ("batch/v1", "Job", "  backoffLimit: 4\n"),
])
def test_other_workloads(api_version, kind, spec_extra):
    text = (f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: w}}\nspec:\n{spec_extra}"
            "  selector: {matchLabels: {app: w}}\n"
            "  template:\n    metadata: {labels: {app: w}}\n"
            "    spec:\n      hostNetwork: true\n"
            "      containers: [{name: c, image: i, ports: [{containerPort: 5}]}]\n")
    [pod] = load_string(text).pods
    assert (pod.key, pod.labels, pod.host_network) == ("default/w", {"app": "w"}, True)
    assert pod.workload == ObjectRef(kind, "w", "default")
    assert pod.ports == (ContainerPort(5),)


CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ops}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    metadata: {labels: {ignored: job-label}}
    spec:
      backoffLimit: 2
      template:
        metadata: {labels: {app: backup}}
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: backup}]
"""


def test_cron_job_uses_the_job_templates_pod_template():
    [pod] = load_string(CRONJOB).pods
    assert (pod.key, pod.labels) == ("ops/nightly", {"app": "backup"})
    assert pod.workload == ObjectRef("CronJob", "nightly", "ops")


def test_cron_job_errors_have_full_paths():
    error = only_error(CRONJOB.replace("restartPolicy:", "restartPolcy:"))
    assert error.path == "spec.jobTemplate.spec.template.spec.restartPolcy"
    assert error.origin.line == 13
    error = only_error(CRONJOB.replace("backoffLimit", "backofLimit"))
    assert error.path == "spec.jobTemplate.spec.backofLimit"


def test_cron_job_name_leaves_room_for_job_suffix():
    error = only_error(CRONJOB.replace("name: nightly", "name: " + "n" * 53))
    assert error.path == "metadata.name" and "52" in error.message
    load_string(CRONJOB.replace("name: nightly", "name: " + "n" * 52))


def test_stateful_set_name_is_a_dns_label():
    text = DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet")
    text = text.replace("name: frontend\n", "name: front.end\n").replace("  strategy:", "  updateStrategy:")
    error = only_error(text.replace("rollingUpdate: {maxSurge: 25%}", "rollingUpdate: {}"))
    assert error.path == "metadata.name" and "dots" in error.message


@pytest.mark.parametrize("old,new,path", [
    ("  template:\n", "  templat:\n", "spec.templat"),
    ("  selector:\n    matchLabels: {app: frontend}\n", "", "spec.selector"),
    ("      containers:", "      containerz:", "spec.template.spec.containerz"),
    ("    metadata:\n      labels: {app: frontend, version: v2}\n",
     "    metadata:\n      labels: {app: frontend, version: v2}\n      labelz: {}\n",
     "spec.template.metadata.labelz"),
    ("version: v2", "version: 2", "spec.template.metadata.labels.version"),
    ("replicas: 3\n", "replicas: 3\n  replica: 3\n", "spec.replica"),
])
def test_deployment_validation(old, new, path):
    errors_found = errors(DEPLOYMENT.replace(old, new))
    assert path in [e.path for e in errors_found]


def test_workload_without_template():
    error = only_error("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
                       "spec: {selector: {matchLabels: {a: b}}}\n")
    assert error.path == "spec.template"


@pytest.mark.parametrize("fields,model", [
    (podspec.POD_SPEC_FIELDS, k8s_client.V1PodSpec),
    (podspec.CONTAINER_FIELDS, k8s_client.V1Container),
    (podspec.EPHEMERAL_CONTAINER_FIELDS, k8s_client.V1EphemeralContainer),
    (podspec.CONTAINER_PORT_FIELDS, k8s_client.V1ContainerPort),
    (workloads.DEPLOYMENT_SPEC_FIELDS, k8s_client.V1DeploymentSpec),
    (workloads.STATEFUL_SET_SPEC_FIELDS, k8s_client.V1StatefulSetSpec),
    (workloads.DAEMON_SET_SPEC_FIELDS, k8s_client.V1DaemonSetSpec),
    (workloads.REPLICA_SET_SPEC_FIELDS, k8s_client.V1ReplicaSetSpec),
    (workloads.JOB_SPEC_FIELDS, k8s_client.V1JobSpec),
    (workloads.CRON_JOB_SPEC_FIELDS, k8s_client.V1CronJobSpec),
    (workloads.TEMPLATE_METADATA_FIELDS, k8s_client.V1ObjectMeta),
])
def test_field_names_match_the_kubernetes_api(fields, model):
    """A field the API has but npkit lacks would make valid manifests fail; compare with the
    OpenAPI-generated client models. A newer client may add fields: then update the lists."""
    assert fields >= set(model.attribute_map.values())
