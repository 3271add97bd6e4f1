"""The lint rules, one module per family; importing this package registers them all.

| module | rules |
|---|---|
| input | NP001 no pods loaded |
| dns | NP101 DNS egress, NP102 DNS over TCP, NP104 DNS trusted by label in any namespace |
| default_deny | NP103 namespace without a default deny |
| selection | NP201 policy selects no pod, NP202 peer matches nothing, NP203 namespace label missing |
| peers | NP301 AND vs OR peers, NP302 allow-all rule among specific ones, NP303 ipBlock covers pods |
| ports | NP304 named port no pod declares |
| order | NP401 tier without order, NP402 Calico policy without order, NP406 priority ties |
| shadowing | NP403 rule that can never match, NP404 Log not followed by a decision |
| tiers | NP405 Deny-only policy cut off by the tier's implicit deny |
| http | NP501 http match without Istio |
| naming | NP901 naming convention |
"""

from . import default_deny, dns, http, input, naming, order, peers, ports, selection, shadowing, tiers

__all__ = ["default_deny", "dns", "http", "input", "naming", "order", "peers", "ports", "selection",
           "shadowing", "tiers"]
