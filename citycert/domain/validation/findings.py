"""Findings: what a validation rule found, with bilingual message and fix hint."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from citycert.standards.models import Indicator, Text
from citycert.standards.validation import RuleBase, Severity

# A message field: one text for both languages, or its own text per language.
FieldValue = str | Text


@dataclass(frozen=True)
class Finding:
    """One problem on one indicator; `details` holds the figures behind it (JSON-friendly)."""

    indicator: str
    rule: str
    severity: Severity
    message: Text
    hint: Text
    details: Mapping[str, object] = field(default_factory=dict, compare=False)

    @property
    def blocks_submission(self) -> bool:
        return self.severity is Severity.error

    def as_dict(self) -> dict[str, object]:
        return {
            "indicator": self.indicator,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": {"en": self.message.en, "ko": self.message.ko},
            "hint": {"en": self.hint.en, "ko": self.hint.ko},
            "details": dict(self.details),
        }


def fmt(x: float) -> str:
    """A number as people read it: `38,326,199`, `9.64`, `7.1`, `2.42e-06`."""
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 0.01:
        return f"{x:.4g}"
    return f"{x:.3g}"


def fmt_change(ratio: float) -> str:
    """A change as `+15.3 %` when moderate, else as a factor `x2.53` or `/4.3e+06`."""
    if 0.5 <= ratio <= 2:
        return f"{(ratio - 1) * 100:+.1f} %"
    if ratio > 2:
        return f"×{fmt(ratio)}"
    return f"÷{fmt(1 / ratio)}" if ratio > 0 else "→ 0"


def render(template: str, values: Mapping[str, FieldValue], lang: str) -> str:
    """Fill `template` with `values`, taking each bilingual value in `lang`."""
    plain = {k: (v.get(lang) if isinstance(v, Text) else v) for k, v in values.items()}
    return template.format(**plain)


def make_finding(
    rule: RuleBase,
    indicator: Indicator,
    values: Mapping[str, FieldValue],
    details: Mapping[str, object] | None = None,
    message: Text | None = None,
) -> Finding:
    """A finding of `rule` on `indicator`, its message and hint filled in both languages.

    `message` replaces the rule's message template (for rules with message variants).
    """
    fields: dict[str, FieldValue] = {"indicator": indicator.number, "name": indicator.name}
    fields.update(values)
    tpl = message or rule.message
    return Finding(
        indicator=indicator.number,
        rule=rule.id,
        severity=rule.severity,
        message=Text(en=render(tpl.en, fields, "en"), ko=render(tpl.ko, fields, "ko")),
        hint=Text(en=render(rule.hint.en, fields, "en"), ko=render(rule.hint.ko, fields, "ko")),
        details=dict(details or {}),
    )
