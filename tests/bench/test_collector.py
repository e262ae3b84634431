"""The benchmarks' table (tests/bench/collector.py): a ratio above 1 is always worse than the
floor, whichever way the figure is better. Not a benchmark: runs with the suite."""

from tests.bench.collector import Figure, summary_lines


def test_a_time_under_its_floor_passes_with_a_ratio_below_one():
    figure = Figure("job", measured=2.0, floor=10.0, unit="s", better="lower")

    assert (figure.ratio, figure.passed) == (0.2, True)


def test_a_speed_up_short_of_its_floor_fails_with_a_ratio_above_one():
    figure = Figure("faster", measured=5.0, floor=10.0, unit="×", better="higher")

    assert (figure.ratio, figure.passed) == (2.0, False)


def test_the_table_has_one_line_per_benchmark_with_its_result():
    lines = summary_lines(
        [Figure("a", 1.0, 2.0, "s", "lower"), Figure("b", 3.0, 2.0, "MB", "lower")]
    )

    assert len(lines) == 4
    assert lines[2].endswith("| 0.50 | pass |")
    assert lines[3].endswith("| 1.50 | FAIL |")
