"""CityCert services layer."""
