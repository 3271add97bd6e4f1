"""Every connection the policies allow, over all protocols and ports: `npkit connlist`.

>>> from npkit.model import Cluster, Pod
>>> from npkit.engine import Engine
>>> print(render(connlist(Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2")))))))
0.0.0.0-255.255.255.255[External] => x/a[Pod] : All Connections
0.0.0.0-255.255.255.255[External] => x/b[Pod] : All Connections
x/a[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections
x/a[Pod] => x/b[Pod] : All Connections
x/b[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections
x/b[Pod] => x/a[Pod] : All Connections
<BLANKLINE>
"""

from .classes import TrafficClass, traffic_classes
from .compute import GROUPS, ConnList, Entity, connlist
from .connset import ALL_CONNECTIONS, describe
from .render import FORMATS, WRITERS, render

__all__ = [
    "ALL_CONNECTIONS", "FORMATS", "GROUPS", "WRITERS", "ConnList", "Entity", "TrafficClass", "connlist",
    "describe", "render", "traffic_classes",
]
