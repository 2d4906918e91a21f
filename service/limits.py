"""Body limits: a size cap (413 before anything is parsed) and a nesting cap on JSON bodies."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from schemas.common import ProblemError
from service.errors import ApiError
from service.settings import Settings

# A JSON string, escapes included (the unrolled form keeps the regex engine linear and quick).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
# Depth does not care whether a level is an array or an object.
_AS_SQUARE = bytes.maketrans(b"{}", b"[]")


class TooDeep(ApiError):
    """A body nested deeper than any record of this API is: refused before it is decoded."""

    title = "Body nested too deeply"

    def __init__(self, limit: int) -> None:
        message = f"JSON nested deeper than {limit} levels"
        super().__init__(f"body: {message}", [ProblemError(location="body", name="body", message=message)])


def deeper_than(body: bytes, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects more than `limit` levels, read without decoding."""
    # Fast path: too few brackets in all to nest that deep (almost every real body).
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    # Only the brackets outside strings, then peel the innermost pairs off one level at a time:
    # every step runs in C, and there are at most `limit` of them (a 100k-deep `[[[[` included).
    brackets = _STRING.sub(b"", body).translate(_AS_SQUARE, _NOT_BRACKETS)
    for _ in range(limit):
        brackets = brackets.replace(b"[]", b"")  # the innermost pairs: exactly one level
        if not brackets:
            return False
    return True


class LimitedRequest(Request[Any, Any, Any]):
    """Request whose JSON is checked for depth first: msgspec has no depth option and would recurse."""

    async def json(self) -> Any:
        # body() enforces request_max_body_size (413) before a byte is parsed.
        settings: Settings = self.app.state.settings
        if deeper_than(await self.body(), settings.max_json_depth):
            raise TooDeep(settings.max_json_depth)
        return await super().json()
