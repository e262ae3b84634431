import cProfile
import io
import pstats
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bench.test_inventory_bench import resellers, signed_in  # noqa: F401

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def test_probe(signed_in):  # noqa: F811
    c = signed_in("big")
    url = "/inventory/"
    for _ in range(3):
        c.get(url)
    with CaptureQueriesContext(connection) as q:
        t = time.perf_counter()
        c.get(url)
        total = time.perf_counter() - t
    print("\n", url, f"{total*1000:.0f} ms", sum(float(x["time"]) for x in q.captured_queries) * 1000)  # noqa: T201
    for x in q.captured_queries:
        print(f"  {float(x['time'])*1000:7.1f} ms  {x['sql'][:120]}")  # noqa: T201
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(5):
        c.get(url)
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(60)
    print(s.getvalue()[:12000])  # noqa: T201
