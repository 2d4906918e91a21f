"""A network path to the database that swallows everything: every request is still answered,
with a 503 or 504 problem, within a bound, because the service bounds its own waits."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.faults.conftest import Target
from tests.faults.harness import Answer, auth_header, serve, wait_until

pytestmark = pytest.mark.smoke
ANSWER_BOUND = 8.0
PATHS = ["/v1/events", "/v1/deals?pair=CN,KR", "/v1/pairs/Seoul/Beijing", "/v1/sources", "/v1/countries/JP"]


def _send(base: str, key: str, path: str, answers: list[Answer]) -> None:
    started = time.monotonic()
    try:
        with httpx.Client(base_url=base, timeout=20) as http:
            if path == "POST":
                body = {"title": "blackhole", "publisher": "Fault Daily", "published_on": "2026-02-02"}
                r = http.post("/v1/sources", json=body, headers=auth_header(key))
            else:
                r = http.get(path)
        answers.append(
            Answer(path, started, time.monotonic(), r.status_code, r.headers.get("content-type", ""))
        )
    except httpx.HTTPError as exc:
        answers.append(Answer(path, started, time.monotonic(), 0, error=type(exc).__name__))


def test_a_blackholed_database_gets_every_request_answered_in_bounded_time(target: Target) -> None:
    # The defaults: statement_timeout 5 s (client bound 6 s), acquire and connect timeouts 5 s.
    env = {"DATABASE_URL": target.service_url}
    with serve(env) as (base, _):
        assert httpx.get(f"{base}/v1/events", timeout=5).status_code == 200
        target.proxy.blackhole()
        answers: list[Answer] = []
        # More requests than the pool has connections: some wait on a swallowed query, some on
        # a connection that never completes its handshake.
        threads = [
            threading.Thread(target=_send, args=(base, target.write_key, path, answers), daemon=True)
            for path in [*PATHS * 3, "POST", "POST"]
        ]
        for t in threads:
            t.start()
            time.sleep(0.05)
        for t in threads:
            t.join(timeout=25)
        assert not any(t.is_alive() for t in threads)
        durations = sorted(round(a.ended - a.started, 2) for a in answers)
        statuses = sorted({a.status for a in answers})
        target.proxy.heal()
        recovered = wait_until(lambda: httpx.get(f"{base}/v1/events", timeout=10).status_code == 200, 30, 0.1)
        print(
            f"\n[blackhole] requests={len(answers)} statuses={statuses} "
            f"answer_seconds min={durations[0]} max={durations[-1]} "
            f"recovered_after_heal_s={recovered:.2f}"
        )
        assert len(answers) == len(threads)
        assert set(statuses) <= {503, 504}, [(a.kind, a.status, a.error) for a in answers]
        assert all(a.content_type == "application/problem+json" for a in answers)
        assert max(a.ended - a.started for a in answers) <= ANSWER_BOUND, durations
