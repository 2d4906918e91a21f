"""PostgreSQL restarted under read and write load: only 2xx and 503 answers, success within a
second of the database being back, and no acknowledged write lost."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.faults.conftest import Target
from tests.faults.harness import Load, serve

pytestmark = pytest.mark.smoke
DOWN_SECONDS = 1.5
FIRST_SUCCESS_BOUND = 1.0


def test_restart_under_load_loses_no_acknowledged_write(target: Target) -> None:
    env = {"DATABASE_URL": target.service_url}
    with serve(env) as (base, _):
        with Load(base, target.write_key, readers=4, writers=3, max_seconds=40, pause=0.01) as load:
            time.sleep(1.0)
            stopping = time.monotonic()
            target.pg.stop("fast")
            stopped = time.monotonic()
            time.sleep(DOWN_SECONDS)
            target.pg.start()
            back = time.monotonic()
            time.sleep(1.5)
        answers = load.answers
        statuses = load.statuses()
        first = load.first_success_after(back)
        first_read = min(
            (a.ended - back for a in answers if a.kind == "read" and a.started >= back and a.status == 200),
            default=None,
        )
        first_write = min(
            (a.ended - back for a in answers if a.kind == "write" and a.started >= back and a.status == 201),
            default=None,
        )
        created = [a.location for a in answers if a.status == 201]
        with httpx.Client(base_url=base, timeout=10) as http:
            found = sum(http.get(location).status_code == 200 for location in created if location)
        during = [a for a in answers if a.started >= stopped and a.ended <= back]
        print(
            f"\n[restart] requests={len(answers)} statuses={statuses} "
            f"stop_took_s={stopped - stopping:.2f} down_s={back - stopped:.2f} "
            f"503_while_down={sum(a.status == 503 for a in during)}/{len(during)} "
            f"first_success_after_back_ms={first * 1000 if first is not None else None:.0f} "
            f"(read {first_read and round(first_read * 1000)}, "
            f"write {first_write and round(first_write * 1000)}) "
            f"writes_acknowledged={len(created)} found_afterwards={found}"
        )
    assert set(statuses) <= {200, 201, 503}, statuses
    assert statuses.get(503, 0) > 0, "the restart must have been seen by the clients"
    assert first is not None
    assert first <= FIRST_SUCCESS_BOUND
    assert first_write is not None
    assert first_write <= FIRST_SUCCESS_BOUND
    assert len(created) > 0
    assert found == len(created), "an acknowledged write was lost"
