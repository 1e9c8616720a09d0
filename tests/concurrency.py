"""Run work in several threads at the same moment, as concurrent requests or cron runs would.

Only meaningful on PostgreSQL: SQLite serialises writers, so tests using this skip there."""

import threading

import pytest
from django.db import connection

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks: run with DATABASE_URL set to PostgreSQL",
)


def at_once(count, work):
    """Call work(n) for n in range(count), each in its own thread and database connection,
    all released together by a barrier. Returns the results; fails if any call raised."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(n):
        try:
            barrier.wait()
            results.append(work(n))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results
