"""Validation of a reporting cycle's figures against rules kept as data (rules/validation/)."""

from citycert.domain.validation.cycle import ValidationContext
from citycert.domain.validation.engine import has_errors, validate
from citycert.domain.validation.findings import Finding

__all__ = ["Finding", "ValidationContext", "has_errors", "validate"]
