"""CityCert web layer."""
