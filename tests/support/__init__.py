"""Helpers shared by test modules (built only through the public services)."""
