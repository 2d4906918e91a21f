"""Liveness and readiness."""

from __future__ import annotations


async def test_health_answers_without_touching_the_database(client) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_every_migration_applied(client) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] is True
    assert body["migrations_pending"] == []
    assert body["migrations_applied"][:4] == [1, 2, 3, 4]
