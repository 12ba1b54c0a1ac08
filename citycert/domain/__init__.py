"""CityCert domain layer."""
