"""Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) as one pod each.

A workload's pods share labels, ports and service account, so for network policy one
representative pod named after the workload stands for all of them. `Pod.workload` says
which workload it stands for. The pod template is checked like a Pod; the rest of the
workload spec only for field names (and the types of the fields npkit reads).
"""

from __future__ import annotations

from npkit.i18n import messages
from npkit.model import Pod

from . import validation
from .fields import Fields
from .kinds import Manifest, register
from .labels import read_label_selector, read_labels
from .podspec import POD_SPEC_FIELDS, POD_TEMPLATE_FIELDS, read_pod_spec

_ = messages("npkit").gettext

TEMPLATE_METADATA_FIELDS = frozenset({
    "name", "generateName", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences",
    "finalizers", "managedFields", "selfLink",
})
DEPLOYMENT_SPEC_FIELDS = frozenset({
    "minReadySeconds", "paused", "progressDeadlineSeconds", "replicas", "revisionHistoryLimit", "selector",
    "strategy", "template",
})
STATEFUL_SET_SPEC_FIELDS = frozenset({
    "minReadySeconds", "ordinals", "persistentVolumeClaimRetentionPolicy", "podManagementPolicy",
    "replicas", "revisionHistoryLimit", "selector", "serviceName", "template", "updateStrategy",
    "volumeClaimTemplates",
})
DAEMON_SET_SPEC_FIELDS = frozenset({"minReadySeconds", "revisionHistoryLimit", "selector", "template",
                                    "updateStrategy"})
REPLICA_SET_SPEC_FIELDS = frozenset({"minReadySeconds", "replicas", "selector", "template"})
JOB_SPEC_FIELDS = frozenset({
    "activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "completionMode", "completions",
    "managedBy", "manualSelector", "maxFailedIndexes", "parallelism", "podFailurePolicy",
    "podReplacementPolicy", "scheduling", "selector", "successPolicy", "suspend", "template",
    "ttlSecondsAfterFinished",
})
CRON_JOB_SPEC_FIELDS = frozenset({
    "concurrencyPolicy", "failedJobsHistoryLimit", "jobTemplate", "schedule", "startingDeadlineSeconds",
    "successfulJobsHistoryLimit", "suspend", "timeZone",
})
JOB_TEMPLATE_FIELDS = frozenset({"metadata", "spec"})
WORKLOAD_TOP_FIELDS = frozenset({"apiVersion", "kind", "metadata", "spec", "status"})


def _cron_job_name(name: str) -> list[str]:
    """CronJob names leave room for the 11-character suffix of the Jobs they create."""
    problems = validation.dns1123_subdomain(name)
    if len(name) > 52:
        problems.append(_("must be at most 52 characters (it has {n}), because the Jobs it creates add 11 characters "
                          "to it").format(n=len(name)))
    return problems


def _representative_pod(obj: Manifest, spec: Fields | None, template_path: tuple[str, ...]) -> list[Pod]:
    """The pod standing for the workload, read from the pod template at `template_path` under spec."""
    if spec is None:
        obj.root.missing("spec")
        return []
    container = spec
    for name in template_path[:-1]:  # CronJob: jobTemplate.spec.template
        known = JOB_TEMPLATE_FIELDS if name == "jobTemplate" else JOB_SPEC_FIELDS
        inner = container.get_map(name, known, required=True)
        if inner is None:
            return []
        container = inner
    template = container.get_map(template_path[-1], POD_TEMPLATE_FIELDS, required=True)
    if template is None:
        return []
    template_meta = template.get_map("metadata", TEMPLATE_METADATA_FIELDS)
    labels = read_labels(template_meta.get("labels")) if template_meta is not None else {}
    pod_spec = template.get_map("spec", POD_SPEC_FIELDS, required=True)
    if pod_spec is None:
        return []
    info = read_pod_spec(pod_spec)
    meta = obj.meta
    return [Pod(meta.name, meta.namespace or "", labels, info.ports, service_account=info.service_account,
                workload=obj.ref, host_network=info.host_network, origin=obj.origin)]


def _check_selector(spec: Fields | None, required: bool) -> None:
    """apps/v1 workloads must have spec.selector; it is validated but not interpreted."""
    if spec is None:
        return
    if spec.get("selector") is None and required:
        spec.missing("selector", _("; apps/v1 workloads must say which pods they own"))
    read_label_selector(spec.get("selector"))


@register("apps", "Deployment", ("v1",), top_fields=WORKLOAD_TOP_FIELDS)
def load_deployment(obj: Manifest) -> list[Pod]:
    spec = obj.spec(DEPLOYMENT_SPEC_FIELDS)
    _check_selector(spec, required=True)
    return _representative_pod(obj, spec, ("template",))


@register("apps", "StatefulSet", ("v1",), top_fields=WORKLOAD_TOP_FIELDS, name_rule=validation.dns1123_label)
def load_stateful_set(obj: Manifest) -> list[Pod]:
    spec = obj.spec(STATEFUL_SET_SPEC_FIELDS)
    _check_selector(spec, required=True)
    return _representative_pod(obj, spec, ("template",))


@register("apps", "DaemonSet", ("v1",), top_fields=WORKLOAD_TOP_FIELDS)
def load_daemon_set(obj: Manifest) -> list[Pod]:
    spec = obj.spec(DAEMON_SET_SPEC_FIELDS)
    _check_selector(spec, required=True)
    return _representative_pod(obj, spec, ("template",))


@register("apps", "ReplicaSet", ("v1",), top_fields=WORKLOAD_TOP_FIELDS)
def load_replica_set(obj: Manifest) -> list[Pod]:
    spec = obj.spec(REPLICA_SET_SPEC_FIELDS)
    _check_selector(spec, required=True)
    return _representative_pod(obj, spec, ("template",))


@register("batch", "Job", ("v1",), top_fields=WORKLOAD_TOP_FIELDS)
def load_job(obj: Manifest) -> list[Pod]:
    spec = obj.spec(JOB_SPEC_FIELDS)
    _check_selector(spec, required=False)  # the Job controller generates it
    return _representative_pod(obj, spec, ("template",))


@register("batch", "CronJob", ("v1",), top_fields=WORKLOAD_TOP_FIELDS, name_rule=_cron_job_name)
def load_cron_job(obj: Manifest) -> list[Pod]:
    spec = obj.spec(CRON_JOB_SPEC_FIELDS)
    if spec is not None:
        spec.get_str("schedule", required=True)
    return _representative_pod(obj, spec, ("jobTemplate", "spec", "template"))

