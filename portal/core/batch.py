"""N10: every batch job is a Celery beat task and a management command taking --as-of and
--dry-run, and every run is recorded as a JobRun staff read in the admin.

A job is a function `job(*, as_of, dry_run) -> JobSummary`. `job_run(name, job, ...)` records
the run around it (the record is written before the job starts, so a run killed midway stays
visible as "running (or killed)"); `BatchJobCommand` and `beat_job` are the two ways in."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.core.models import JobRun


@dataclass
class JobSummary:
    """What a run did: counts by name ({"quotes": 3, "emails": 6}) and lines for people."""

    counts: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    def note(self, line: str) -> None:
        self.lines.append(line)

    def text(self) -> str:
        counts = ", ".join(f"{name}: {value}" for name, value in self.counts.items())
        return "\n".join([*self.lines, counts or "nothing to do"])


Job = Callable[..., JobSummary]


def job_run(
    name: str, job: Job, *, as_of: date, dry_run: bool = False, trigger: str = "command"
) -> JobSummary:
    """Run `job` for `as_of`, recorded as a JobRun (N10). Failures are recorded and re-raised."""
    record = JobRun.objects.create(
        job=name, as_of=as_of, dry_run=dry_run, trigger=trigger, started_at=timezone.now()
    )
    try:
        summary = job(as_of=as_of, dry_run=dry_run)
    except Exception:
        JobRun.objects.filter(pk=record.pk).update(
            outcome=JobRun.Outcome.FAILED,
            finished_at=timezone.now(),
            error=traceback.format_exc()[-5000:],
        )
        raise
    JobRun.objects.filter(pk=record.pk).update(
        outcome=JobRun.Outcome.FINISHED,
        finished_at=timezone.now(),
        summary=summary.text()[:20000],
        counts=summary.counts,
    )
    return summary


def beat_job(name: str, job: Job) -> JobSummary:
    """The body of a daily beat task: run `job` for today, recorded."""
    return job_run(name, job, as_of=timezone.localdate(), trigger="beat")


class BatchJobCommand(BaseCommand):
    """Subclasses implement run(as_of=, dry_run=) and print their summary; or set `job` (a
    JobSummary-returning function) and `job_name`, and the run is recorded and printed."""

    job_name = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="The day to run for (default: today); rehearse or back-fill any day.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would happen; write and send nothing.",
        )

    def handle(self, *args, as_of, dry_run, **options):
        self.run(as_of=as_of or timezone.localdate(), dry_run=dry_run)

    def job(self, *, as_of: date, dry_run: bool) -> JobSummary:
        raise NotImplementedError

    def run(self, *, as_of: date, dry_run: bool) -> None:
        summary = job_run(self.job_name, self.job, as_of=as_of, dry_run=dry_run)
        prefix = "[dry run] " if dry_run else ""
        for line in summary.lines:
            self.stdout.write(f"{prefix}{line}")
        counts = ", ".join(f"{k}: {v}" for k, v in summary.counts.items()) or "nothing to do"
        self.stdout.write(f"{prefix}{self.job_name} as of {as_of}: {counts}")
