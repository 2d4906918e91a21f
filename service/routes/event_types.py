"""Event types: GET /v1/event-types and /v1/event-types/{type_id}."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.params import Parameter

from schemas.event_types import EventTypeList, EventTypeOut
from service.db import DbConnection
from service.errors import NotFound
from service.repos import event_types as repo
from service.routes.params import example
from service.routes.responses import problems, with_allow

TypeId = Annotated[str, Parameter(description="The type's id.", max_length=64, examples=example("visit"))]


@get("/", operation_id="listEventTypes", responses=problems())
async def list_event_types(conn: DbConnection) -> EventTypeList:
    """Every event type with its CAMEO code, Goldstein score, QuadClass and PLOVER category."""
    return EventTypeList(items=await repo.list_event_types(conn))


@get("/{type_id:str}", operation_id="getEventType", responses=problems(404))
async def get_event_type(conn: DbConnection, type_id: TypeId) -> EventTypeOut:
    """One event type and its coding."""
    found = await repo.get_event_type(conn, type_id)
    if found is None:
        raise NotFound("event type", type_id)
    return found


router = with_allow(
    Router(path="/v1/event-types", route_handlers=[list_event_types, get_event_type], tags=["events"])
)
