"""CityCert store layer."""
