"""The benchmarks' end-of-run table (tests/bench/collector.py)."""

from __future__ import annotations

from tests.bench.collector import FIGURES, SUMMARY_PATH, summary_lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    lines = summary_lines(FIGURES)
    failed = sum(not f.passed for f in FIGURES)
    verdict = f"{len(FIGURES)} figures, {failed} past their floor"
    terminalreporter.section("benchmarks against their floors (ratio ≤ 1 passes)")
    for line in lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line(verdict)
    SUMMARY_PATH.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY_PATH.write_text(
        "# Benchmarks against their floors\n\n"
        "Ratio: measured / floor where lower is better, floor / measured where higher is\n"
        "better; 1 or less passes. Written by `make bench` (tests/bench/conftest.py).\n\n"
        + "\n".join(lines)
        + f"\n\n{verdict}\n"
    )
    terminalreporter.write_line(f"written to {SUMMARY_PATH}")
