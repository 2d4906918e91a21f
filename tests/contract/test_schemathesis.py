"""Contract fuzzing: Schemathesis against openapi.yaml on the real server process.

Every phase (examples, coverage, fuzzing, stateful) and every check, with a write key so POST,
PATCH and DELETE are exercised too, on a fresh copy of the seed world. The seed is fixed, so a
failure here reproduces. CONTRACT_FUZZ_EXAMPLES and CONTRACT_FUZZ_SEED make a larger run
(see README, "Contract fuzzing").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from service import auth, db
from tests.databases import Databases, app_settings, with_database
from tests.smoke.test_serve import serve

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = int(os.environ.get("CONTRACT_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("CONTRACT_FUZZ_SEED", "20260107"))
# The default run generates about 4,200 cases; fewer means an operation or phase went missing.
MIN_CASES = int(os.environ.get("CONTRACT_FUZZ_MIN_CASES", "2000"))
TIMEOUT = float(os.environ.get("CONTRACT_FUZZ_TIMEOUT", "600"))


@pytest.fixture
async def fuzz_db(databases: Databases, template_db: str) -> AsyncIterator[tuple[str, str]]:
    """A private copy of the seed world and the secret of a write key on it."""
    name = await databases.create("fuzz", template=template_db)
    url = with_database(databases.url, name)
    conn = await db.connect(url, app_settings(url))
    try:
        secret = await auth.create(conn, "schemathesis", "write")
    finally:
        await conn.close()
    yield url, secret
    await databases.drop(name)


def test_the_running_service_keeps_its_openapi_contract(fuzz_db: tuple[str, str], tmp_path: Path) -> None:
    url, secret = fuzz_db
    # Rate limits off (0): the fuzzer sends thousands of requests a minute from one client.
    env = {"DATABASE_URL": url, "RATE_LIMIT_READS": "0", "RATE_LIMIT_WRITES": "0"}
    with serve(env) as (base, _process):
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file", str(CONFIG),
            "--no-color",
            "run", str(ROOT / "openapi.yaml"),
            "--url", base,
            "--header", f"Authorization: Bearer {secret}",
            "--phases", "examples,coverage,fuzzing,stateful",
            # Every check runs: that is Schemathesis' default. Not `--checks all`, which would
            # also override the one per-operation exception in schemathesis.toml.
            "--mode", "all",
            "--max-examples", str(EXAMPLES),
            "--seed", str(SEED),
            "--generation-database", "none",
            # One worker: several make the run order, and so the seed, non-reproducible.
            "--workers", "1",
            "--request-timeout", "30",
            "--report", "junit",
            "--report-dir", str(tmp_path),
        ]  # fmt: skip
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path, check=False
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
    generated = re.search(r"(\d+) generated", output)
    assert generated is not None, output[-5000:]
    assert int(generated[1]) >= MIN_CASES, output[-5000:]
    print(output[output.rfind("Test cases:") :])  # shown with -s or -rP: how many, how long
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅ {phase}\b", output), f"{phase} phase did not pass:\n{output[-5000:]}"
