"""Robust statistics: median, MAD and the modified z-score, and why not mean/SD."""

from __future__ import annotations

import math
import statistics

import pytest

from citycert.domain.robust import log_values, mad, median, modified_z


@pytest.mark.parametrize(
    ("values", "expected_median", "expected_mad"),
    [
        ([5.0], 5.0, 0.0),
        ([1.0, 3.0], 2.0, 1.0),
        ([1.0, 2.0, 3.0, 4.0, 100.0], 3.0, 1.0),
        ([3.0, 1.0, 2.0], 2.0, 1.0),
        ([-2.0, -1.0, 0.0, 1.0, 2.0, 1000.0], 0.5, 1.5),
    ],
)
def test_median_and_mad(values: list[float], expected_median: float, expected_mad: float) -> None:
    assert median(values) == expected_median
    assert mad(values) == expected_mad


def test_median_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        median([])


def test_modified_z_matches_iglewicz_hoaglin_formula() -> None:
    sample = [10.0, 11.0, 12.0, 13.0, 14.0]
    score = modified_z(20.0, sample)
    assert score.centre == 12.0
    assert score.z == pytest.approx(0.6745 * (20.0 - 12.0) / 1.0, rel=1e-3)


def test_one_outlier_does_not_hide_itself_as_it_would_with_mean_and_sd() -> None:
    sample = [10.0, 11.0, 12.0, 13.0, 14.0, 500.0]
    mean_sd_z = (500.0 - statistics.mean(sample)) / statistics.stdev(sample)
    assert mean_sd_z < 3.5  # the outlier inflates the SD and escapes a mean/SD test
    assert modified_z(500.0, sample).z > 3.5


def test_zero_spread_uses_the_floor_and_without_one_is_an_error() -> None:
    assert modified_z(1.2, [1.0, 1.0, 1.0], min_scale=0.1).z == pytest.approx(2.0)
    with pytest.raises(ValueError):
        modified_z(1.2, [1.0, 1.0, 1.0])


def test_log_values_drops_what_has_no_logarithm() -> None:
    assert log_values([1.0, math.e, 0.0, -3.0, math.inf, math.nan]) == [0.0, 1.0]
