"""openapi.yaml tells the truth: it validates, and a client generated from it reads the live service."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from service.openapi import SPEC_FILE
from tests.databases import Databases
from tests.live import live_server

PACKAGE = "detente_client"
DAY = dt.date(2026, 1, 7)  # the day of the seed world's news report


def test_the_spec_is_valid_openapi_3_1() -> None:
    spec, _ = read_from_filename(str(SPEC_FILE))
    assert spec["openapi"].startswith("3.1")
    validate(spec)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client openapi-python-client writes from the committed spec, importable for this module."""
    out = tmp_path_factory.mktemp("client")
    config = out / "config.yaml"
    config.write_text(
        # The generator has no codec for NDJSON bodies (bulk import); it sends them as raw bytes.
        "content_type_overrides:\n  application/x-ndjson: application/octet-stream\n"
        # Its default hooks run ruff from PATH, which `make test` does not set up; importing needs no style.
        "post_hooks: []\n"
    )
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [str(generator), "generate", "--path", str(SPEC_FILE), "--meta", "none", "--config", str(config),
         "--output-path", str(out / PACKAGE), "--fail-on-warning"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
async def base(databases: Databases, template_db: str) -> AsyncIterator[str]:
    async with live_server(databases, template_db, "client") as url:
        yield url


def _op(tag: str, operation: str) -> ModuleType:
    """One operation's module: `sync`, `sync_detailed`, `asyncio`, `asyncio_detailed`."""
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation}")


def _exact(model: object) -> object:
    """The server sent no field the spec does not declare."""
    assert getattr(model, "additional_properties", {}) == {}, type(model).__name__
    return model


def test_the_generated_client_reads_the_pair_deals_and_history(generated: ModuleType, base: str) -> None:
    with generated.Client(base_url=base, raise_on_unexpected_status=True) as client:
        pair = _op("pairs", "get_pair").sync("KR", "CN", client=client, as_of=DAY)
        assert type(pair).__name__ == "PairOut", pair
        _exact(pair)
        assert pair.pair == "CN-KR"
        assert pair.relationship.trend.value == "improving"
        assert {d.kind.value for d in pair.latest_deals} >= {"export_contract", "mou"}

        page = _op("pairs", "list_pair_deals").sync("Seoul", "Beijing", client=client)
        assert type(page).__name__ == "DealPage", page
        assert page.items
        for deal in page.items:
            _exact(deal)
            assert {party.country for party in deal.parties} & {"CN", "KR"}
            assert deal.value is None or isinstance(deal.value.amount, str)  # money stays a decimal string
        first = _op("deals", "get_deal").sync(page.items[0].id, client=client)
        assert _exact(first).id == page.items[0].id

        history = _op("relationships", "get_relationship").sync("Tokyo", "Beijing", client=client, as_of=DAY)
        assert type(history).__name__ == "RelationshipOut", history
        _exact(history)
        assert (history.current.status.value, history.current.trend.value) == ("frozen", "deteriorating")
        assert len(history.history) >= 2
        assert all(_exact(period).pair == "CN-JP" for period in history.history)

        ban = generated.models.EventType("export_control")
        directed = _op("events", "list_events").sync(
            client=client, initiator="China", target="Japan", type_=ban
        )
        assert [e.id for e in directed.items] == ["ev-2026-01-06-cn-dual-use-export-ban-japan-military"]


def test_the_generated_client_parses_problems(generated: ModuleType, base: str) -> None:
    with generated.Client(base_url=base, raise_on_unexpected_status=True) as client:
        response = _op("pairs", "get_pair").sync_detailed("Narnia", "CN", client=client)
    assert response.status_code == 422
    problem = response.parsed
    assert type(problem).__name__ == "Problem"
    assert problem.errors[0].name == "a"
