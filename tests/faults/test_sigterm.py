"""SIGTERM while a slow request is in flight: the request completes, then the process exits."""

from __future__ import annotations

import signal
import threading
import time

import httpx
import pytest

from tests.faults.conftest import Target
from tests.faults.harness import serve

pytestmark = pytest.mark.smoke
WAIT = 5
EXIT_BOUND = 10.0
GRACEFUL = {0, -signal.SIGTERM}


def test_sigterm_lets_a_long_poll_finish_and_exits_in_time(target: Target) -> None:
    env = {"DATABASE_URL": target.service_url}
    with serve(env) as (base, process):
        since = None
        for _ in range(100):  # to the end of the feed, so the poll below has nothing and waits
            page = httpx.get(
                f"{base}/v1/changes", params={"limit": 200, **({"since": since} if since else {})}, timeout=10
            ).json()
            since = page["cursor"]
            if not page["more"]:
                break
        answers: list[httpx.Response | Exception] = []

        def poll() -> None:
            params = {"wait": WAIT, **({"since": since} if since else {})}
            try:
                answers.append(httpx.get(f"{base}/v1/changes", params=params, timeout=20))
            except httpx.HTTPError as exc:
                answers.append(exc)

        poller = threading.Thread(target=poll, daemon=True)
        started = time.monotonic()
        poller.start()
        time.sleep(1.0)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=EXIT_BOUND + 5)
        exited = time.monotonic() - signalled
        poller.join(timeout=15)
        answered = time.monotonic() - started
        answer = answers[0] if answers else None
        print(
            f"\n[sigterm] long_poll_wait_s={WAIT} answer={getattr(answer, 'status_code', answer)} "
            f"answered_after_s={answered:.2f} exit_code={code} exited_after_sigterm_s={exited:.2f}"
        )
    assert isinstance(answer, httpx.Response), answer
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"] == []
    assert answered >= WAIT - 0.5, "the long poll was cut short"
    assert code in GRACEFUL
    assert exited <= EXIT_BOUND
