"""PostgreSQL stopped hard in the middle of a bulk import: nothing of it is committed, and the
retry with the same Idempotency-Key writes it exactly once; a second retry only replays."""

from __future__ import annotations

import threading
import time

import httpx
import msgspec
import pytest

from tests.faults.conftest import Target
from tests.faults.harness import auth_header, fetchval, run, serve, wait_until

pytestmark = pytest.mark.smoke
LINES = 4000
STOP_AFTER_BYTES = 64 * 1024  # of the import's traffic to the database: its COPY is under way


def _ndjson(run_id: str) -> bytes:
    lines = [
        {
            "collection": "sources",
            "id": f"src-fault-{run_id}-{n:05d}",
            "title": f"Fault import record {n}",
            "publisher": "Fault Daily",
            "published_on": "2026-02-02",
            "notes": "x" * 200,
        }
        for n in range(LINES)
    ]
    return b"\n".join(msgspec.json.encode(line) for line in lines) + b"\n"


def _count(target: Target, run_id: str) -> int:
    count: int = run(
        fetchval(target.direct_url, "SELECT count(*) FROM sources WHERE id LIKE $1", f"src-fault-{run_id}-%")
    )
    return count


def test_a_hard_stop_mid_import_commits_nothing_and_the_retry_writes_once(target: Target) -> None:
    run_id = "imp1"
    body = _ndjson(run_id)
    headers = {
        **auth_header(target.write_key),
        "Idempotency-Key": f"fault-import-{run_id}",
        "Content-Type": "application/x-ndjson",
    }
    env = {"DATABASE_URL": target.service_url}
    with serve(env) as (base, _), httpx.Client(base_url=base, timeout=60) as http:
        baseline = target.proxy.to_server
        stopped_at: list[float] = []

        def stop_mid_import() -> None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and target.proxy.to_server - baseline < STOP_AFTER_BYTES:
                time.sleep(0.001)
            stopped_at.append(time.monotonic())
            target.pg.stop("immediate")

        watcher = threading.Thread(target=stop_mid_import, daemon=True)
        watcher.start()
        sent = time.monotonic()
        first = http.post("/v1/import", content=body, headers=headers)
        answered = time.monotonic()
        watcher.join(timeout=35)
        target.pg.start()
        after_crash = _count(target, run_id)
        wait_until(lambda: http.get("/ready").status_code == 200, 10, 0.05)
        revisions_before = run(fetchval(target.direct_url, "SELECT count(*) FROM revisions"))

        retry = http.post("/v1/import", content=body, headers=headers)
        after_retry = _count(target, run_id)
        revisions_after_retry = run(fetchval(target.direct_url, "SELECT count(*) FROM revisions"))
        replay = http.post("/v1/import", content=body, headers=headers)
        after_replay = _count(target, run_id)
        revisions_after_replay = run(fetchval(target.direct_url, "SELECT count(*) FROM revisions"))
        print(
            f"\n[import-crash] lines={LINES} body_bytes={len(body)} "
            f"stop_after_s={stopped_at[0] - sent:.3f} first_answer={first.status_code} "
            f"in_s={answered - sent:.2f} items_after_crash={after_crash} "
            f"retry={retry.status_code} changed={retry.json().get('changed')} "
            f"items_after_retry={after_retry} "
            f"replay={replay.status_code} items_after_replay={after_replay} "
            f"revisions {revisions_before}->{revisions_after_retry}->{revisions_after_replay}"
        )
    assert first.status_code == 503, first.text
    assert first.headers["content-type"] == "application/problem+json"
    assert after_crash == 0, "a partial import was committed"
    assert retry.status_code == 200, retry.text
    assert retry.json()["changed"] == LINES
    assert retry.json()["errors"] == []
    assert after_retry == LINES
    assert revisions_after_retry - revisions_before == LINES
    assert replay.status_code == 200
    assert replay.json() == retry.json()
    assert after_replay == LINES
    assert revisions_after_replay == revisions_after_retry
