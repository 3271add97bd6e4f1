"""A cluster at a glance: namespaces with their labels, pods with labels, addresses and ports."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from ..i18n import messages
from ..model import NAMESPACE_NAME_LABEL, Cluster

_ = messages("npkit-ui").gettext

# JupyterLab's theme colours, so the table reads in light and dark themes alike.
HEAD = "var(--jp-layout-color2, #f6f8fa)"
MUTED = "var(--jp-ui-font-color2, #57606a)"


def label_text(labels: dict[str, str], empty: str = "-") -> str:
    """`k=v, ...` sorted, leaving out the name label every namespace carries; `empty` when nothing is left."""
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != NAMESPACE_NAME_LABEL) or empty


class ClusterOverview:
    """Namespaces and pods as a stable text table and an HTML table.

    `addresses` are (name, ip, what) triples for endpoints outside the cluster.

    >>> from npkit.model import Cluster, Pod
    >>> print(ClusterOverview(Cluster(pods=(Pod("a", "x", {"app": "a"}, ip="10.0.0.1"),))))
    namespace x  (labels: -)
      a  10.0.0.1  app=a  ports: -
    """

    def __init__(self, cluster: Cluster, addresses: Iterable[tuple[str, str, str]] = ()):
        self.cluster = cluster
        self.addresses = tuple(addresses)
        self.rows = []
        names = sorted({p.namespace for p in cluster.pods} | set(cluster.namespaces))
        for ns in names:
            namespace = cluster.namespaces.get(ns)
            pods = sorted((p for p in cluster.pods if p.namespace == ns), key=lambda p: p.name)
            self.rows.append((ns, namespace.labels if namespace else {}, [
                (p.name, p.ip, label_text(p.labels), ", ".join(str(c) for c in p.ports) or "-") for p in pods]))

    def __repr__(self) -> str:
        lines = []
        for ns, labels, pods in self.rows:
            lines.append(_("namespace {namespace}  (labels: {labels})").format(namespace=ns, labels=label_text(labels)))
            if pods:
                widths = [max(len(p[k]) for p in pods) for k in range(3)]
                for name, ip, labels_text, ports in pods:
                    lines.append(f"  {name.ljust(widths[0])}  {ip.ljust(widths[1])}  {labels_text.ljust(widths[2])}  "
                                 + _("ports: {ports}").format(ports=ports))
        if self.addresses:
            lines.append(_("outside the cluster"))
            width = max(len(a[0]) for a in self.addresses)
            ip_width = max(len(a[1]) for a in self.addresses)
            for name, ip, what in self.addresses:
                lines.append(f"  {name.ljust(width)}  {ip.ljust(ip_width)}  {what}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = []
        for ns, labels, pods in self.rows:
            name = escape(_("namespace {namespace}").format(namespace=ns))
            rows.append(f'<tr style="background:{HEAD}"><th colspan="4" style="text-align:left">{name} '
                        f'<span style="font-weight:normal;color:{MUTED}">{escape(label_text(labels))}'
                        "</span></th></tr>")
            rows += [f"<tr><td>{escape(n)}</td><td><code>{escape(ip)}</code></td><td>{escape(lab)}</td>"
                     f"<td>{escape(ports)}</td></tr>" for n, ip, lab, ports in pods]
        if self.addresses:
            outside = escape(_("outside the cluster"))
            rows.append(f'<tr style="background:{HEAD}"><th colspan="4" style="text-align:left">{outside}</th></tr>')
            rows += [f"<tr><td>{escape(n)}</td><td><code>{escape(ip)}</code></td><td colspan='2'>{escape(w)}</td></tr>"
                     for n, ip, w in self.addresses]
        head = "".join(f"<th>{escape(h)}</th>" for h in (_("pod"), "IP", _("labels"), _("ports")))
        return f'<table style="border-collapse:collapse;font-size:13px"><tr>{head}</tr>{"".join(rows)}</table>'
