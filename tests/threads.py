"""Running calls at the same moment in threads, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection
from django.utils import translation


def run_at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run each call in its own thread (own connection), released together; results or errors."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            # The active language is per thread: speak English like the test's own thread.
            with translation.override("en"):
                outcomes[index] = calls[index]()
        except Exception as error:  # the test inspects what each thread got
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
