"""Plausible value bands for synthetic ISO 37120:2018 data (benchmark settings, not reference data).

`TARGETS` gives, per indicator, a band (low, high) its value is drawn from; the inputs are then
derived so that the catalogue formula gives that value. `SHARES` sizes the denominators that are
not the population itself, relative to the quantity named. The bands are our own rough settings
for realistic-looking data (order of magnitude of published city figures); they carry no
authority and are used only to generate benchmark data.
"""

from __future__ import annotations

# Indicator number -> (low, high) of the indicator value in its display unit.
TARGETS: dict[str, tuple[float, float]] = {
    "5.1": (3, 15), "5.2": (10, 45), "5.3": (50, 85), "5.4": (8, 35), "5.5": (2000, 8000),
    "5.6": (1, 80), "5.7": (50_000, 800_000), "5.8": (5, 150), "5.9.2": (0.5, 8),
    "5.9.3": (3000, 80_000),
    "6.1": (85, 99), "6.2": (80, 99), "6.3": (60, 95), "6.4": (12, 35), "6.5": (85, 99),
    "6.6": (8000, 35_000),
    "7.1": (20, 150), "7.2": (5, 60), "7.3": (92, 99.9), "7.4": (5000, 35_000), "7.5": (0.3, 1.5),
    "7.6": (10_000, 60_000), "7.7": (0.5, 20), "7.8.1": (200, 5000), "7.8.2": (50, 3000),
    "8.1": (5, 60), "8.2": (10, 90), "8.3": (1.5, 15), "8.4": (2, 25), "8.5": (10, 60),
    "8.6": (2, 30), "8.7": (20, 80), "8.8": (5, 40), "8.9": (-10, 5),
    "9.1": (2, 20), "9.2": (10, 35), "9.3": (30, 85), "9.4": (80, 99), "9.5.1": (500, 5000),
    "9.5.2": (100, 1500),
    "10.1": (10, 50), "10.2": (0.1, 5), "10.3": (60, 98), "10.4": (35, 80),
    "11.1": (65, 85), "11.2": (150, 800), "11.3": (100, 500), "11.4": (2, 40),
    "11.5": (300, 1500), "11.6": (3, 20),
    "12.1": (1, 25), "12.2": (20, 80), "12.3": (10, 300), "12.4": (1, 20), "12.5.3": (2, 12),
    "12.5.4": (15, 60), "12.5.5": (1, 8), "12.5.6": (20, 65),
    "13.1": (0.5, 15), "13.2": (5, 25), "13.3": (0.25, 0.55), "13.4.2": (2, 40),
    "13.4.4": (0.2, 3), "13.4.5": (1, 20), "13.4.6": (2000, 9000),
    "14.1": (0.1, 1.0), "14.2": (2, 20),
    "15.1": (30, 150), "15.2": (0.1, 2), "15.3": (0.01, 1), "15.4": (150, 450),
    "15.5": (0.5, 20), "15.6": (5, 80), "15.7": (5, 15), "15.8": (1000, 5000),
    "15.9": (0.2, 3), "15.10": (10, 200),
    "16.1": (85, 99.9), "16.2": (0.25, 0.7), "16.9": (0.01, 0.1), "16.10": (5, 50),
    "17.1": (10, 60), "17.2": (1, 6), "17.3": (50, 400),
    "18.1": (20_000, 45_000), "18.2": (80_000, 150_000),
    "19.1": (20, 300), "19.2": (50, 500), "19.3": (20, 80), "19.4": (5, 150), "19.5": (1, 15),
    "19.6": (30, 95), "19.7": (20, 60), "19.8.1": (0.1, 0.7), "19.8.2": (0.01, 0.3),
    "20.1": (0.5, 30), "20.2": (1, 20), "20.3": (1, 15), "20.4": (20, 60),
    "21.1": (50, 500), "21.2": (0.1, 15), "21.3": (0.5, 1.5), "21.4": (60, 99),
    "21.5.2": (5000, 50_000), "21.5.3": (0.5, 3),
    "22.1": (70, 99.9), "22.2": (60, 99.9), "22.3": (80, 99.9), "22.4": (85, 99.9),
    "23.1": (85, 99.9), "23.2": (90, 99.9), "23.3": (80, 300), "23.4": (95, 99.9),
    "23.5": (150, 500), "23.6": (1, 30), "23.7": (5, 40),
}  # fmt: skip

# Solid waste by destination (16.3-16.8) splits one whole: relative weights, then normalised.
WASTE_SPLIT: dict[str, tuple[float, float]] = {
    "16.3": (10, 45), "16.4": (20, 70), "16.5": (0, 30), "16.6": (2, 15), "16.7": (0, 5),
    "16.8": (0, 5),
}  # fmt: skip

# Denominator input -> (base quantity, low share, high share). Base quantities: `population`,
# `economy` (population x GDP per capita, USD) and `fixed` (an absolute count).
SHARES: dict[str, tuple[str, float, float]] = {
    "labour_force": ("population", 0.45, 0.55),
    "youth_labour_force": ("population", 0.05, 0.08),
    "female_school_aged_population": ("population", 0.08, 0.10),
    "school_aged_population": ("population", 0.16, 0.20),
    "primary_cohort_entering": ("population", 0.010, 0.013),
    "secondary_cohort_entering": ("population", 0.010, 0.013),
    "primary_teachers_fte": ("population", 0.003, 0.005),
    "voting_age_population": ("population", 0.72, 0.80),
    "commuters": ("population", 0.40, 0.50),
    "live_births": ("population", 0.008, 0.014),
    "public_buildings_floor_area": ("population", 1.0, 2.0),
    "lit_street_length": ("population", 0.002, 0.004),
    "total_solid_waste": ("population", 0.35, 0.55),
    "food_supplied": ("population", 0.5, 0.7),
    "wastewater_generated": ("population", 50, 70),
    "water_supplied": ("population", 80, 110),
    "total_assessed_value": ("economy", 2.5, 3.5),
    "own_source_revenue": ("economy", 0.03, 0.05),
    "total_expenditure": ("economy", 0.06, 0.09),
    "tax_billed": ("economy", 0.02, 0.03),
    "municipal_budget": ("economy", 0.06, 0.09),
    "elected_positions": ("fixed", 20, 80),
    "native_species_baseline": ("fixed", 200, 1500),
    "wastewater_tests_required": ("fixed", 500, 5000),
    "drinking_water_tests_required": ("fixed", 1000, 10_000),
}

# Value inputs tied to the city itself rather than a band of their own.
HOUSEHOLD_SIZE = (2.2, 4.5)
DENSITY_PER_KM2 = (800, 12_000)
GDP_PER_CAPITA_USD = (3000, 80_000)
GROWTH_PER_YEAR = (0.0, 0.008)
