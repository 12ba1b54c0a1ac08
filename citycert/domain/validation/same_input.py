"""same_input: one figure (one input name) must carry one value across a reporting cycle.

Catalogues give the same name to the same figure (`population`, `solid_waste_total`...), so two
indicators of one cycle that disagree on it cannot both be right.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from citycert.domain.validation.cycle import CycleData, Subject, selected_numbers
from citycert.domain.validation.findings import Finding, fmt, make_finding
from citycert.standards.catalog import Catalog
from citycert.standards.validation import SameInputRule

_Entry = tuple[Subject, float]


# (id(rule), id(catalog)) -> (rule, catalog, input names two or more selected indicators use).
_SHARED: dict[tuple[int, int], tuple[SameInputRule, Catalog, frozenset[str]]] = {}


def _shared_names(rule: SameInputRule, catalog: Catalog) -> frozenset[str]:
    """Input names used by two or more indicators the rule covers (only they can disagree)."""
    key = (id(rule), id(catalog))
    hit = _SHARED.get(key)
    if hit is not None and hit[0] is rule and hit[1] is catalog:
        return hit[2]
    covered = selected_numbers(rule, catalog)
    uses: dict[str, int] = {}
    for ind in catalog.indicators:
        if ind.number in covered and ind.formula is not None:
            for inp in ind.formula.inputs:
                uses[inp.name] = uses.get(inp.name, 0) + 1
    names = frozenset(n for n, k in uses.items() if k > 1)
    if len(_SHARED) >= 1024:
        _SHARED.clear()
    _SHARED[key] = (rule, catalog, names)
    return names


def _values_by_name(rule: SameInputRule, cycle: CycleData) -> dict[str, list[_Entry]]:
    """Each input name -> (subject, value) in catalogue order, in the first user's unit."""
    units: dict[str, str] = {}
    out: dict[str, list[_Entry]] = {}
    # Only names a comparison can concern: those asked for, else those two indicators share.
    asked = rule.params.names
    only = frozenset(asked) if asked is not None else _shared_names(rule, cycle.catalog)
    for s in cycle.selected(rule):
        f = s.indicator.formula
        for inp in f.inputs if f is not None else ():
            if inp.name not in only:
                continue
            unit = units.setdefault(inp.name, inp.unit)
            v = s.spec_value(inp, unit)
            if v is not None:
                out.setdefault(inp.name, []).append((s, v))
    return out


def _clusters(entries: list[_Entry], rel_tolerance: float) -> list[list[_Entry]]:
    """Entries grouped by equal value (within tolerance of the group's first value)."""
    groups: list[list[_Entry]] = []
    for entry in entries:
        for g in groups:
            ref = g[0][1]
            if math.isclose(entry[1], ref, rel_tol=rel_tolerance, abs_tol=1e-12):
                g.append(entry)
                break
        else:
            groups.append([entry])
    return groups


def _matches(group: list[_Entry], value: float, rel_tolerance: float) -> bool:
    return math.isclose(group[0][1], value, rel_tol=rel_tolerance, abs_tol=1e-12)


def check(rule: SameInputRule, cycle: CycleData) -> Iterator[Finding]:
    """A finding on each indicator whose value differs from the reference: the registered
    population when asked and present, else the value most indicators use (on a tie, that of
    the earliest indicator in catalogue order)."""
    p = rule.params
    by_name = _values_by_name(rule, cycle)
    names = list(p.names) if p.names is not None else [n for n, e in by_name.items() if len(e) > 1]
    for name in names:
        if name in p.exclude or len(by_name.get(name, [])) < 2:
            continue
        groups = _clusters(by_name[name], p.rel_tolerance)
        if len(groups) < 2:
            continue
        main = max(groups, key=len)  # max keeps the first of equally large groups
        registered = cycle.context.city_population
        if p.prefer_registered and registered is not None:
            main = next((g for g in groups if _matches(g, registered, p.rel_tolerance)), main)
        ref = main[0][1]
        main_numbers = [s.number for s, _ in main]
        for g in groups:
            if g is main:
                continue
            for s, v in g:
                yield make_finding(
                    rule,
                    s.indicator,
                    {
                        "input": name,
                        "value": fmt(v),
                        "other_value": fmt(ref),
                        "other_indicators": ", ".join(main_numbers),
                    },
                    {
                        "input": name,
                        "value": v,
                        "other_value": ref,
                        "other_indicators": main_numbers,
                    },
                )
