"""Event and deal lists as the service answered them at a past moment (`known_on`): items that
changed since are read from their revisions, the others from the live tables."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.api.test_revisions import GAP, iso
from tests.api.writing import create, deal_body, event_body, get, server_now, walk

# Two countries no seeded event or deal joins.
PAIR = "IS-NO"
MEMBERS = [{"role": "participant", "country": "IS"}, {"role": "participant", "country": "NO"}]
PARTIES = [{"role": "partner", "country": "IS"}, {"role": "partner", "country": "NO"}]


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


async def test_an_event_list_as_known_then(api: Any, fresh_url: str) -> None:
    def body(title: str, day: str) -> dict[str, Any]:
        return event_body(title=title, start_date=day, participants=MEMBERS)

    talks = await create(api, "events", body("Fisheries talks", "2025-01-05"))
    dispute = await create(api, "events", body("Whaling dispute", "2025-01-03"))
    accord = await create(api, "events", body("Ferry accord", "2025-01-04"))
    await asyncio.sleep(GAP)
    moment = iso(await server_now(fresh_url))
    await asyncio.sleep(GAP)
    assert (
        await api.patch(f"/v1/events/{talks['id']}", json={"title": "Fisheries summit"})
    ).status_code == 200
    assert (await api.delete(f"/v1/events/{dispute['id']}")).status_code == 204
    link = await create(api, "events", body("Energy link", "2025-01-06"))

    then = await walk(api, "/v1/events", pair=PAIR, known_on=moment)
    # The edited event as it was, the deleted one still there, the new one not yet; newest first.
    assert ids(then) == [talks["id"], accord["id"], dispute["id"]]
    assert [e["title"] for e in then] == ["Fisheries talks", "Ferry accord", "Whaling dispute"]
    for item in then:
        assert item == (await get(api, "events", item["id"], known_on=moment)).json()
    # Page by page, the cursor runs across changed and unchanged items alike.
    assert ids(await walk(api, "/v1/events", pair=PAIR, known_on=moment, limit="1")) == ids(then)
    # Filters see what each item served then.
    assert ids(await walk(api, "/v1/events", pair=PAIR, known_on=moment, q="talks")) == [talks["id"]]
    assert await walk(api, "/v1/events", pair=PAIR, known_on=moment, q="summit") == []
    assert ids(await walk(api, "/v1/events", pair=PAIR, known_on=moment, to="2025-01-04")) == [
        accord["id"],
        dispute["id"],
    ]
    # Now: the new event, the edit, no deleted one.
    now = await walk(api, "/v1/events", pair=PAIR)
    assert ids(now) == [link["id"], talks["id"], accord["id"]]
    assert now[1]["title"] == "Fisheries summit"
    # A moment before any of them: nothing.
    assert await walk(api, "/v1/events", pair=PAIR, known_on="2000-01-01T00:00:00Z") == []


async def test_a_deal_list_as_known_then(api: Any, fresh_url: str) -> None:
    def body(title: str, day: str) -> dict[str, Any]:
        return deal_body(title=title, signed_on=day, parties=PARTIES)

    cables = await create(api, "deals", body("Subsea cable contract", "2025-02-03"))
    salmon = await create(api, "deals", body("Salmon export MOU", "2025-02-05"))
    await asyncio.sleep(GAP)
    moment = iso(await server_now(fresh_url))
    await asyncio.sleep(GAP)
    assert (
        await api.patch(f"/v1/deals/{salmon['id']}", json={"title": "Salmon export deal"})
    ).status_code == 200
    later = await create(api, "deals", body("Hydrogen MOU", "2025-02-04"))

    then = await walk(api, "/v1/deals", pair=PAIR, known_on=moment)
    assert ids(then) == [salmon["id"], cables["id"]]
    assert then[0]["title"] == "Salmon export MOU"
    for item in then:
        assert item == (await get(api, "deals", item["id"], known_on=moment)).json()
    assert ids(await walk(api, "/v1/deals", pair=PAIR, known_on=moment, limit="1")) == ids(then)
    assert ids(await walk(api, "/v1/deals", pair=PAIR, known_on=moment, q="mou")) == [salmon["id"]]
    assert ids(await walk(api, "/v1/deals", pair=PAIR)) == [salmon["id"], later["id"], cables["id"]]
