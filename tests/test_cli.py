"""The `detente` command over real databases: API keys, NDJSON import and export, and their round trip."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from schemas.imports import LineError
from service import auth, db, staging
from service.cli import main
from service.collections import BY_NAME
from service.export import ORDER, STATEMENTS
from service.sql import queries
from tests.databases import app_settings

T = TypeVar("T")
DETENTE = str(Path(sys.executable).with_name("detente"))
SOURCE_ID = "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals"


def on(url: str, work: Callable[[db.Connection], Awaitable[T]]) -> T:
    """Run `work` on a connection to `url`, from a synchronous test."""

    async def run() -> T:
        conn = await db.connect(url, app_settings(url))
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


def detente(url: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """The installed command in its own process, as an operator runs it (stderr is not a terminal)."""
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [DETENTE, *args], input=stdin, capture_output=True, env=env, timeout=120, check=False
    )


@pytest.fixture
def use(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Point the in-process command at a database."""
    return lambda url: monkeypatch.setenv("DATABASE_URL", url)


# API keys


def test_keys_are_created_listed_and_revoked_without_showing_a_secret_twice(
    fresh_url: str, use: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    use(fresh_url)
    assert main(["keys", "create", "--name", "ci-loader", "--scope", "write"]) == 0
    out, err = capsys.readouterr()
    secret = out.strip()
    assert secret.startswith(auth.PREFIX)
    assert "not shown again" in err
    key = on(fresh_url, lambda conn: auth.lookup(conn, secret))
    assert key == auth.ApiKey(name="ci-loader", scope="write", revoked=False)
    stored = on(
        fresh_url, lambda conn: conn.fetchval("SELECT key_hash FROM api_keys WHERE name = 'ci-loader'")
    )
    assert stored == auth.digest(secret)

    assert main(["keys", "create", "--name", "reader", "--scope", "read"]) == 0
    capsys.readouterr()
    assert main(["keys", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["name", "scope", "created", "revoked"]
    rows = {line.split()[0]: line.split() for line in listing[1:]}
    assert rows["ci-loader"][1] == "write"
    assert rows["reader"][1:2] == ["read"]
    assert rows["reader"][3] == "-"
    assert secret not in "\n".join(listing)

    assert main(["keys", "revoke", "ci-loader"]) == 0
    assert capsys.readouterr().out.strip() == "revoked 'ci-loader'"
    assert on(fresh_url, lambda conn: auth.lookup(conn, secret)).revoked  # type: ignore[union-attr]
    assert main(["keys", "list"]) == 0
    revoked = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("ci-loader"))
    assert revoked.split()[3].endswith("Z")


def test_key_commands_refuse_what_they_cannot_do(
    fresh_url: str, use: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    use(fresh_url)
    assert main(["keys", "revoke", "nobody"]) == 1
    assert capsys.readouterr().err.strip() == "detente: no active key named 'nobody'"
    assert main(["keys", "create", "--name", "twice", "--scope", "admin"]) == 0
    assert main(["keys", "revoke", "twice"]) == 0
    assert main(["keys", "revoke", "twice"]) == 1
    assert main(["keys", "create", "--name", "twice", "--scope", "read"]) == 1
    assert "exists already" in capsys.readouterr().err
    assert main(["keys", "create", "--name", "no spaces", "--scope", "read"]) == 1
    assert "a key name is" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["keys", "create", "--name", "x", "--scope", "root"])
    assert exit_.value.code == 2


async def test_a_created_key_writes_over_http(fresh_url: str, make_client, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    secret = (await _captured(["keys", "create", "--name", "http-writer", "--scope", "write"])).strip()
    async with make_client(fresh_url) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        response = await client.post("/v1/sources", json=_source_body(), headers=headers)
        assert response.status_code == 201, response.text
        await _captured(["keys", "revoke", "http-writer"])
        refused = await client.post("/v1/sources", json=_source_body(), headers=headers)
        assert refused.status_code == 403


async def _captured(argv: list[str]) -> str:
    """stdout of the in-process command, run in a thread: it starts its own event loop."""
    buffer = io.StringIO()

    def run() -> int:
        with contextlib.redirect_stdout(buffer):
            return main(argv)

    assert await asyncio.to_thread(run) == 0
    return buffer.getvalue()


def _source_body() -> dict[str, Any]:
    return {"title": "A test source", "publisher": "Test Wire", "published_on": "2026-01-08"}


# Import


def _record(collection: str, item_id: str, **fields: Any) -> str:
    return json.dumps({"collection": collection, "id": item_id, **fields})


def _event(item_id: str, **fields: Any) -> str:
    body = {
        "type": "statement",
        "title": f"Statement {item_id}",
        "start_date": "2026-01-08",
        "participants": [{"role": "initiator", "country": "Seoul"}, {"role": "target", "country": "JP"}],
        "sources": [{"source_id": SOURCE_ID}],
        **fields,
    }
    return _record("events", item_id, **body)


def test_import_writes_the_valid_lines_and_reports_the_refused_ones(
    fresh_url: str, use: Callable[[str], None], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = [
        _record("sources", "src-cli-a", **_source_body()),  # 1
        _event("ev-cli-ok-1", sources=[{"source_id": "src-cli-a"}]),  # 2: cites line 1
        '{"collection": "events", "id": "ev-cli-truncated"',  # 3: not JSON
        _event("ev-cli-atlantis", participants=[{"role": "initiator", "country": "Atlantis"}]),  # 4
        "",  # 5: blank, skipped
        _event("ev-cli-ghost-source", sources=[{"source_id": "src-nowhere"}]),  # 6
        _record("planets", "p-1"),  # 7: no such collection
        _event("ev-cli-ok-1"),  # 8: id given twice
        _event("ev-cli-ok-2"),  # 9
    ]
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    use(fresh_url)
    assert main(["import", str(path), "--key-name", "cli-test"]) == 1
    out = capsys.readouterr().out.splitlines()
    refused = {int(line.split()[1].rstrip(":")): line for line in out[:-1]}
    assert sorted(refused) == [3, 4, 6, 7, 8]
    assert "Atlantis" in refused[4]
    assert "src-nowhere" in refused[6]
    assert "already given on line 2" in refused[8]
    assert out[-1] == "8 lines: 3 valid (3 changed, 0 unchanged), 5 refused"

    found = on(
        fresh_url, lambda conn: conn.fetch("SELECT id FROM events WHERE id LIKE 'ev-cli-%' ORDER BY id")
    )
    assert [r["id"] for r in found] == ["ev-cli-ok-1", "ev-cli-ok-2"]
    authors = on(
        fresh_url, lambda c: c.fetch("SELECT DISTINCT key_name FROM revisions WHERE item_id = 'ev-cli-ok-2'")
    )
    assert [r["key_name"] for r in authors] == ["cli-test"]

    # The same file again: the good lines are there already, the bad ones still refused.
    assert main(["import", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["valid"], report["changed"], report["unchanged"]) == (3, 0, 3)
    assert [e["line"] for e in report["errors"]] == [3, 4, 6, 7, 8]


def test_import_reads_stdin_and_shows_no_progress_bar_off_a_terminal(fresh_url: str) -> None:
    data = (_event("ev-cli-stdin") + "\n").encode()
    done = detente(fresh_url, "import", "-", stdin=b"\xef\xbb\xbf" + data)  # a BOM, as some editors write
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == "1 lines: 1 valid (1 changed, 0 unchanged), 0 refused\n"
    assert done.stderr == b""
    again = detente(fresh_url, "import", "-", stdin=data)
    assert again.stdout.decode() == "1 lines: 1 valid (0 changed, 1 unchanged), 0 refused\n"


def test_a_bulk_import_refreshes_planner_statistics(
    fresh_url: str, use: Callable[[str], None], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "one.ndjson"
    path.write_text(_event("ev-cli-bulk") + "\n", encoding="utf-8")
    use(fresh_url)
    analyzed = "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'events'"
    assert main(["import", "-q", str(path)]) == 0  # one record is no bulk load
    assert on(fresh_url, lambda conn: conn.fetchval(analyzed)) is None
    monkeypatch.setattr("service.cli.ANALYZE_AFTER", 1)
    path.write_text(_event("ev-cli-bulk", title="Changed") + "\n", encoding="utf-8")
    assert main(["import", "-q", str(path)]) == 0
    assert on(fresh_url, lambda conn: conn.fetchval(analyzed)) is not None


def test_import_of_a_missing_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["import", str(tmp_path / "nope.ndjson")]) == 2
    assert "cannot read" in capsys.readouterr().err


# Export


def test_export_lines_are_import_records_in_dependency_order(
    fresh_url: str, use: Callable[[str], None], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use(fresh_url)
    target = tmp_path / "world.ndjson"
    assert main(["export", str(target)]) == 0
    assert "exported 1 sources, " in capsys.readouterr().err
    assert not (tmp_path / "world.ndjson.partial").exists()
    raw = target.read_bytes().splitlines()
    parsed = list(staging.parse_lines(raw))
    assert not [p for _, p in parsed if isinstance(p, LineError)]
    keys = [(json.loads(line)["collection"], json.loads(line)["id"]) for line in raw]
    rank = {c.name: n for n, c in enumerate(ORDER)}
    assert keys == sorted(keys, key=lambda k: (rank[k[0]], k[1]))
    assert {c for c, _ in keys} == set(STATEMENTS)
    first = json.loads(raw[0])
    assert list(first)[:2] == ["collection", "id"]
    assert "created_at" not in first
    assert "revision" not in first


def test_export_to_stdout_is_the_same_bytes(
    fresh_url: str, use: Callable[[str], None], tmp_path: Path
) -> None:
    use(fresh_url)
    assert main(["export", "--quiet", str(tmp_path / "a.ndjson")]) == 0
    done = detente(fresh_url, "export")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (tmp_path / "a.ndjson").read_bytes()
    assert done.stderr.decode().startswith("exported ")  # the summary, and no progress bar


def test_export_into_a_pipe_writes_through_it_and_leaves_it_a_pipe(
    fresh_url: str, use: Callable[[str], None], tmp_path: Path
) -> None:
    # A device or FIFO (/dev/null, a named pipe) must be written in place, never replaced by a file.
    use(fresh_url)
    fifo = tmp_path / "export.pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    assert main(["export", "--quiet", str(fifo)]) == 0
    streamed, _ = reader.communicate(timeout=60)
    assert fifo.is_fifo()
    assert not (tmp_path / "export.pipe.partial").exists()
    assert streamed == detente(fresh_url, "export").stdout


def test_a_failed_export_leaves_no_file(tmp_path: Path, use: Callable[[str], None], capsys) -> None:
    use("postgresql://postgres@127.0.0.1:1/nothing")
    target = tmp_path / "out.ndjson"
    assert main(["export", str(target)]) == 1
    assert capsys.readouterr().err.startswith("detente: database: ")
    assert list(tmp_path.iterdir()) == []
    assert main(["export", str(tmp_path / "no-such-dir" / "out.ndjson")]) == 2
    assert "cannot write" in capsys.readouterr().err


async def test_export_statements_serve_the_item_shapes(seeded_url: str) -> None:
    conn = await db.connect(seeded_url, app_settings(seeded_url))
    try:
        for collection in ORDER:
            statement = await conn.prepare(queries()[STATEMENTS[collection.name]])
            columns = [a.name for a in statement.get_attributes()]
            assert sorted(columns) == sorted(BY_NAME[collection.name].out.__struct_fields__)
    finally:
        await conn.close()


# The round trip


def test_export_import_export_gives_back_the_same_bytes(
    fresh_url: str, empty_url: str, use: Callable[[str], None], tmp_path: Path, capsys
) -> None:
    first, second = tmp_path / "first.ndjson", tmp_path / "second.ndjson"
    use(fresh_url)
    assert main(["export", str(first)]) == 0
    count = len(first.read_bytes().splitlines())
    assert count > 40

    use(empty_url)  # nothing in it, not even the schema: the command migrates first
    assert main(["import", str(first)]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == f"{count} lines: {count} valid ({count} changed, 0 unchanged), 0 refused"
    )
    assert main(["export", str(second)]) == 0
    assert second.read_bytes() == first.read_bytes()

    for url in (empty_url, fresh_url):  # the copy, and the database the export came from
        use(url)
        capsys.readouterr()
        revisions = on(url, lambda conn: conn.fetchval("SELECT count(*) FROM revisions"))
        assert main(["import", str(first)]) == 0
        assert (
            capsys.readouterr().out.splitlines()[-1]
            == f"{count} lines: {count} valid (0 changed, {count} unchanged), 0 refused"
        )
        assert on(url, lambda conn: conn.fetchval("SELECT count(*) FROM revisions")) == revisions
