"""Helpers for the kind lab cluster: pinned versions, preflight, kind, the Calico install,
readiness waits, the safety guard, what a lab may change (objects), a small Kubernetes facade,
agnhost servers and probes, kernel-log attribution and bug-report details.

Everything that talks to the outside goes through two injected seams, `Runner` (subprocess
calls: kind, kubectl, docker) and `Kube` (the Kubernetes API), so the logic around them —
command lines, output parsing, readiness decisions, retries, manifests — is tested with fakes.
The lab backend that uses these helpers is `npkit.lab.backends.kind`; what each step relies on
is in docs/semantics/kind-lab.md.
"""
