"""CityCert: smart-city certification from raw figures to certificates and open data."""

__version__ = "0.1.0"
