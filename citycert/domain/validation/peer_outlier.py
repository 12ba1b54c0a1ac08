"""peer_outlier: a value far from peer cities', judged on a log scale with median and MAD.

City indicators are positive and right-skewed (a few very large cities or rates), so the logs
are compared; mean and standard deviation would be dragged by the outliers themselves.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from citycert.domain.robust import log_values, modified_z
from citycert.domain.validation.cycle import CycleData
from citycert.domain.validation.findings import Finding, fmt, make_finding
from citycert.standards.validation import PeerOutlierRule


def check(rule: PeerOutlierRule, cycle: CycleData) -> Iterator[Finding]:
    """A finding per selected indicator whose modified z-score among peers exceeds the limit."""
    p = rule.params
    if not cycle.context.peers:
        return  # no peer values at all: nothing to compare with (min_peers is at least 3)
    for s in cycle.selected(rule):
        x = s.value
        logs = log_values(cycle.context.peers.get(s.number, ()))
        if x is None or x <= 0 or len(logs) < p.min_peers:
            continue
        score = modified_z(math.log(x), logs, p.min_scale)
        if abs(score.z) <= p.z_threshold:
            continue
        yield make_finding(
            rule,
            s.indicator,
            {
                "value": fmt(x),
                "median": fmt(math.exp(score.centre)),
                "score": f"{score.z:.1f}",
                "threshold": f"{p.z_threshold:g}",
                "peers": str(len(logs)),
            },
            {"value": x, "z": score.z, "peer_median": math.exp(score.centre), "peers": len(logs)},
        )
