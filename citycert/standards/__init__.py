"""CityCert standards layer."""
