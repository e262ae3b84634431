"""django-helpdesk 2.6.1's staff ticket list, timed as the ticket-list benchmark times ours.

Run by tests/bench/test_ticket_list_bench.py with the benchmark's own virtualenv
(var/bench/helpdesk-venv, requirements.txt beside this file); prints one line of JSON.

    measure.py --data-version V --tickets 100000 --followups 200000 --runs 5

The database (SQLite in var/bench/helpdesk-<V>.sqlite3, or the PostgreSQL database named by
HD_DATABASE_URL) is built once with bulk inserts and reused while V is unchanged: a few queues,
staff users, the tickets (mixed priorities and statuses, two in three assigned) and the
follow-ups. The view measured is `helpdesk:datatables_ticket_list`, the JSON the staff ticket
list's DataTables asks for, with DataTables' own GET parameters (draw, start, length, order):
all tickets, newest first, 25 a page, page 1 and the last page; median of --runs requests
after one warm-up, and the queries of one request.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hd_settings")

import django  # noqa: E402

PAGE_SIZE = 25
QUEUES = 5
STAFF = 8
BATCH = 5000
START = datetime(2024, 1, 1, tzinfo=UTC)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-version", required=True)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--followups", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def _built_version() -> str | None:
    from django.db import connection  # noqa: PLC0415 (after django.setup)

    if "bench_meta" not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM bench_meta")
        row = cursor.fetchone()
    return row[0] if row else None


def _drop_bench_meta() -> None:
    from django.db import connection  # noqa: PLC0415 (after django.setup)

    if "bench_meta" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_meta")


def _load(tickets: int, followups: int, version: str) -> float:
    """Schema, then the data with bulk inserts (no signals, no e-mail): seconds taken."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415 (after django.setup)
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415
    from helpdesk.models import FollowUp, Queue, Ticket  # noqa: PLC0415

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)  # a half-built or older data set
    # The rows carry their own instants (auto_now/auto_now_add would stamp them all "now").
    Ticket._meta.get_field("created").auto_now_add = False
    Ticket._meta.get_field("modified").auto_now = False
    user_model = get_user_model()
    with transaction.atomic():
        user_model.objects.create_user(
            "bench-staff", "staff@bench.test", "bench", is_staff=True, is_superuser=True
        )
        agents = [
            user_model.objects.create_user(
                f"agent{n}",
                f"agent{n}@bench.test",
                "bench",
                is_staff=True,
                first_name=f"Agent{n}",
                last_name="Bench",
            )
            for n in range(STAFF)
        ]
        queues = [
            Queue.objects.create(
                title=f"Queue {n}", slug=f"queue-{n}", email_address=f"q{n}@bench.test"
            )
            for n in range(QUEUES)
        ]
        statuses = [
            Ticket.OPEN_STATUS,
            Ticket.REOPENED_STATUS,
            Ticket.RESOLVED_STATUS,
            Ticket.CLOSED_STATUS,
        ]
        batch = []
        for n in range(tickets):
            created = START + timedelta(minutes=7 * n)
            batch.append(
                Ticket(
                    title=f"Bench ticket {n}: the licence server does not start",
                    queue=queues[n % QUEUES],
                    created=created,
                    modified=created + timedelta(hours=3),
                    submitter_email=f"caller{n % 997}@client{n % 500}.test",
                    assigned_to=agents[n % STAFF] if n % 3 else None,
                    status=statuses[n % len(statuses)],
                    description="Since this morning the service stops at start-up.",
                    priority=1 + n % 5,
                    due_date=created + timedelta(days=2),
                )
            )
            if len(batch) == BATCH:
                Ticket.objects.bulk_create(batch)
                batch = []
        Ticket.objects.bulk_create(batch)
        ticket_ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
        batch = []
        for n in range(followups):
            ticket_id = ticket_ids[n % len(ticket_ids)]
            batch.append(
                FollowUp(
                    ticket_id=ticket_id,
                    date=START + timedelta(minutes=7 * (n % len(ticket_ids)) + 30 + n // 1000),
                    title="Comment",
                    comment="We are looking into it; please send the log file.",
                    public=True,
                    user=agents[n % STAFF],
                    time_spent=timedelta(minutes=5 + n % 20),
                )
            )
            if len(batch) == BATCH:
                FollowUp.objects.bulk_create(batch)
                batch = []
        FollowUp.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_meta (version varchar(100))")
            cursor.execute("INSERT INTO bench_meta (version) VALUES (%s)", [version])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _timed(client, url: str, params: dict, runs: int) -> dict:
    from django.db import connection  # noqa: PLC0415 (after django.setup)
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    rows = len(response.json()["data"])
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return {"seconds": statistics.median(times), "queries": len(queries), "rows": rows}


def main() -> None:
    arguments = _arguments()
    django.setup()
    from django.contrib.auth import get_user_model  # noqa: PLC0415 (after django.setup)
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import setup_test_environment  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415
    from helpdesk.models import FollowUp, Ticket  # noqa: PLC0415
    from helpdesk.query import query_to_base64  # noqa: PLC0415

    setup_test_environment()
    built_in = None
    if _built_version() != arguments.data_version:
        _drop_bench_meta()
        built_in = _load(arguments.tickets, arguments.followups, arguments.data_version)
    total = Ticket.objects.count()
    # The staff list as its page asks for it: no filter, sorted by creation, newest first.
    query = query_to_base64(
        {
            "filtering": {},
            "filtering_null": {},
            "sorting": "created",
            "sortreverse": True,
            "search_string": "",
        }
    )
    url = reverse("helpdesk:datatables_ticket_list", args=[query])
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-staff"))
    last_start = (total - 1) // PAGE_SIZE * PAGE_SIZE

    def params(start: int) -> dict:
        return {
            "draw": "1",
            "start": str(start),
            "length": str(PAGE_SIZE),
            "order[0][column]": "5",
            "order[0][dir]": "desc",
            "search[value]": "",
        }

    print(  # noqa: T201 (the benchmark reads this line)
        json.dumps(
            {
                "version": django.get_version(),
                "vendor": __import__("django.db").db.connection.vendor,
                "tickets": total,
                "followups": FollowUp.objects.count(),
                "built_in_seconds": built_in,
                "page_1": _timed(client, url, params(0), arguments.runs),
                "deep_page": {
                    "page": last_start // PAGE_SIZE + 1,
                    **_timed(client, url, params(last_start), arguments.runs),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
