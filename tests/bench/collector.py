"""One table of every benchmark against its floor (issue #10 acceptance: `make bench` prints
every benchmark of the project as a ratio against its floor, in one run).

Each benchmark calls ``record(name, measured, floor, unit, better)`` with what it measured and
the figure it must stay on the right side of; tests/bench/conftest.py prints the table at the
end of the session and writes it to var/bench/summary.md. The ratio is measured / floor where
lower is better (≤ 1 passes) and floor / measured where higher is better, so a ratio above 1
is always that many times worse than the floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SUMMARY_PATH = Path(__file__).resolve().parent.parent.parent / "var" / "bench" / "summary.md"


@dataclass(frozen=True)
class Figure:
    name: str
    measured: float
    floor: float
    unit: str
    better: Literal["lower", "higher"]

    @property
    def ratio(self) -> float:
        if self.better == "lower":
            return self.measured / self.floor if self.floor else float("inf")
        return self.floor / self.measured if self.measured else float("inf")

    @property
    def passed(self) -> bool:
        if self.better == "lower":
            return self.measured <= self.floor
        return self.measured >= self.floor


FIGURES: list[Figure] = []


def record(
    name: str,
    measured: float,
    floor: float,
    unit: str,
    better: Literal["lower", "higher"] = "lower",
) -> Figure:
    """Note one benchmark's figure for the end-of-run table; returns it."""
    figure = Figure(name, float(measured), float(floor), unit, better)
    FIGURES.append(figure)
    return figure


def summary_lines(figures: list[Figure]) -> list[str]:
    """The table as Markdown: one line per benchmark."""
    width = max([len(f.name) for f in figures] + [9])
    lines = [
        f"| {'benchmark':<{width}} | measured | floor | unit | ratio | result |",
        f"|{'-' * (width + 2)}|---------:|------:|------|------:|--------|",
    ]
    for f in figures:
        sign = "≤" if f.better == "lower" else "≥"
        lines.append(
            f"| {f.name:<{width}} | {f.measured:.4g} | {sign} {f.floor:.4g} | {f.unit} "
            f"| {f.ratio:.2f} | {'pass' if f.passed else 'FAIL'} |"
        )
    return lines
