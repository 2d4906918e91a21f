"""Create, patch and delete one item: one transaction each, revisions, ETags, idempotent retries."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from schemas.common import ProblemError
from schemas.imports import LineError
from service import importer, revisions
from service.auth import current_key
from service.collections import MAX_ID_LENGTH, READ_ONLY, Collection, as_input
from service.context import Context
from service.db import Connection
from service.errors import ApiError, Conflict, NotFound, PreconditionFailed
from service.repos import pairs
from service.sql import queries

JSON = "application/json"


class Refused(ApiError):
    """The body is well-formed but names something that does not exist or cannot be."""

    status = 422
    title = "Invalid body"


def etag(revision: int) -> str:
    return f'"{revision}"'


def item_response(collection: Collection, item: Any, status: int = HTTP_200_OK) -> Response[Any]:
    headers = {"ETag": etag(item.revision)}
    if status == HTTP_201_CREATED:
        headers["Location"] = collection.url(item.id)
    return Response(item, status_code=status, headers=headers)


def _refusal(errors: list[LineError]) -> Refused:
    problems = []
    for e in errors:
        name, _, message = e.reason.partition(": ")
        problems.append(
            ProblemError(location="body", name=name if message else "body", message=message or name)
        )
    return Refused("; ".join(e.reason for e in errors), problems)


_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")


def _invalid(exc: msgspec.ValidationError) -> Refused:
    """A patched body that does not validate, naming the field msgspec points at."""
    found = _AT.match(str(exc))
    message, path = (found["message"], found["path"] or "") if found else (str(exc), "")
    field = _FIELD.search(message)
    name = (f"{path}.{field[1]}" if field else path).lstrip(".") or "body"
    return Refused(f"{name}: {message}", [ProblemError(location="body", name=name, message=message)])


def _check_if_match(request: Request[Any, Any, Any], revision: int) -> None:
    header = request.headers.get("if-match")
    if header is None:
        return
    wanted = {tag.strip() for tag in header.split(",")}
    if "*" not in wanted and etag(revision) not in wanted:
        raise PreconditionFailed(f"the item is at revision {revision} (ETag {etag(revision)}), not {header}")


async def _write(conn: Connection, ctx: Context, record: Any, key_name: str) -> None:
    report = await importer.apply(conn, ctx.resolver, [(1, record)], key_name)
    if report.errors:
        raise _refusal(report.errors)


async def _new_id(conn: Connection, collection: Collection, base: str) -> str:
    base = base[:MAX_ID_LENGTH].rstrip("-")
    q = queries()
    for n in range(1, 1000):
        candidate = base if n == 1 else f"{base}-{n}"
        await conn.execute(q["writes.lock_id"], collection.name, candidate)
        if not await conn.fetchval(q["writes.id_taken"], collection.name, candidate):
            return candidate
    raise Conflict(f"no free id near {base!r}")


async def create(
    request: Request[Any, Any, Any],
    conn: Connection,
    ctx: Context,
    collection: Collection,
    body: msgspec.Struct,
) -> Response[Any]:
    """POST: assign an id, write, answer 201 with Location and ETag; replay a retried POST."""
    key = current_key(request)
    idem_key = request.headers.get("idempotency-key")
    fingerprint = hashlib.sha256(request.url.path.encode() + b"\n" + await request.body()).digest()
    async with conn.transaction():
        if idem_key is not None:
            replay = await claim(conn, key.name, idem_key, fingerprint)
            if replay is not None:
                return replay
        item_id = await _new_id(conn, collection, collection.base_id(body, ctx.resolver))
        record = collection.record(**msgspec.structs.asdict(body), id=item_id)
        await _write(conn, ctx, record, key.name)
        response = item_response(collection, await collection.get(conn, item_id), HTTP_201_CREATED)
        if idem_key is not None:
            await remember(conn, key.name, idem_key, response)
    return response


async def _lock(conn: Connection, collection: Collection, item_id: str) -> int:
    revision: int | None = await conn.fetchval(queries()[f"{collection.sql}.lock"], item_id)
    if revision is None:
        raise NotFound(collection.name.rstrip("s").replace("-", " "), item_id)
    return revision


def _read_only(patch: dict[str, Any]) -> None:
    found = sorted(READ_ONLY & patch.keys())
    if found:
        errors = [ProblemError(location="body", name=f, message="is read-only") for f in found]
        raise Refused(f"read-only fields cannot be changed: {', '.join(found)}", errors)


async def update(
    request: Request[Any, Any, Any],
    conn: Connection,
    ctx: Context,
    collection: Collection,
    item_id: str,
    patch: dict[str, Any],
) -> Response[Any]:
    """PATCH: apply a JSON merge patch to the item as input, validate the result, write it."""
    _read_only(patch)
    key = current_key(request)
    async with conn.transaction():
        _check_if_match(request, await _lock(conn, collection, item_id))
        current = as_input(collection, await collection.get(conn, item_id))
        if collection.name == "events" and "type" in patch and "cameo_code" not in patch:
            current["cameo_code"] = None  # a new verb brings its own CAMEO code
        merged = revisions.merge_patch(current, patch)
        try:
            body = msgspec.convert(merged, collection.body)
        except msgspec.ValidationError as exc:
            raise _invalid(exc) from None
        await _write(conn, ctx, collection.record(**msgspec.structs.asdict(body), id=item_id), key.name)
        return item_response(collection, await collection.get(conn, item_id))


async def remove(
    request: Request[Any, Any, Any], conn: Connection, collection: Collection, item_id: str
) -> None:
    """DELETE: remove the item, leaving a tombstone revision; refused while others point at it."""
    key = current_key(request)
    q = queries()
    try:
        async with conn.transaction():
            _check_if_match(request, await _lock(conn, collection, item_id))
            ids = [item_id]
            embedding = await conn.fetch(q["revisions.dependents"], collection.name, ids)
            of = {
                name: ids if collection.name == name else []
                for name in ("events", "deals", "relationship-periods")
            }
            touched = await pairs.touched(conn, of["events"], of["deals"], of["relationship-periods"])
            candidates: dict[str, set[str]] = {collection.name: {item_id}}
            for row in embedding:
                candidates.setdefault(row["collection"], set()).add(row["item_id"])
            prepared = await revisions.prepare(conn, candidates)
            await conn.execute(q[f"{collection.sql}.delete"], item_id)
            await pairs.refresh(conn, touched)
            await revisions.record(conn, key.name, prepared)
    except asyncpg.ForeignKeyViolationError:
        raise Conflict(
            f"{item_id!r} is still referenced by other items; change or delete those first"
        ) from None


async def claim(conn: Connection, key_name: str, idem_key: str, fingerprint: bytes) -> Response[Any] | None:
    """Claim an Idempotency-Key; if an earlier request already used it, answer as that one did."""
    q = queries()
    if await conn.fetchval(q["idempotency.claim"], key_name, idem_key, fingerprint):
        return None
    stored = await conn.fetchrow(q["idempotency.stored"], key_name, idem_key)
    if stored is None or stored["request_hash"] != fingerprint or stored["status"] is None:
        error = ProblemError(
            location="header", name="Idempotency-Key", message="already used for another request"
        )
        raise Refused("Idempotency-Key: this key was used with a different request", [error])
    return Response(
        content=stored["body"], status_code=stored["status"], headers=stored["headers"], media_type=JSON
    )


async def remember(conn: Connection, key_name: str, idem_key: str, response: Response[Any]) -> None:
    body = msgspec.json.encode(response.content)
    headers = {k: v for k, v in response.headers.items() if k in ("Location", "ETag")}
    # A Response left at its handler's default status carries None; a replay needs the number.
    status = response.status_code or HTTP_200_OK
    await conn.execute(queries()["idempotency.finish"], key_name, idem_key, status, headers, body)
