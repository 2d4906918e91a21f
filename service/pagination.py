"""Opaque keyset cursors and the links that carry them."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import msgspec
from litestar import Request

from service.errors import BadCursor, InvalidParameter

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_MAC_BYTES = 12

Key = list[Any]
T = TypeVar("T")


class Cursors:
    """Signs keyset positions so that a cursor only works for the query that issued it."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _fingerprint(self, scope: str, filters: Mapping[str, Any]) -> str:
        canonical = msgspec.json.encode([scope, sorted((k, v) for k, v in filters.items() if v is not None)])
        return hashlib.sha256(canonical).hexdigest()[:16]

    def encode(self, scope: str, filters: Mapping[str, Any], key: Sequence[Any]) -> str:
        payload = msgspec.json.encode([self._fingerprint(scope, filters), list(key)])
        mac = hmac.new(self._secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]
        return base64.urlsafe_b64encode(payload + mac).rstrip(b"=").decode()

    def decode(
        self, token: str | None, scope: str, filters: Mapping[str, Any], param: str = "cursor"
    ) -> Key | None:
        if not token:  # absent or empty: the first page
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, TypeError):
            raise BadCursor(param) from None
        # The decoder skips characters outside the alphabet and ignores a last character's spare
        # bits, so several spellings decode alike: only the one `encode` gives is a cursor.
        if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != token:
            raise BadCursor(param)
        payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        expected = hmac.new(self._secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]
        if len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, expected):
            raise BadCursor(param)
        try:
            fingerprint, key = msgspec.json.decode(payload, type=tuple[str, list[Any]])
        except msgspec.DecodeError:  # ValidationError included
            raise BadCursor(param) from None
        if fingerprint != self._fingerprint(scope, filters):
            raise BadCursor(param)
        return key


def check_range(date_from: object | None, date_to: object | None) -> None:
    if date_from is not None and date_to is not None and date_from > date_to:  # type: ignore[operator]
        raise InvalidParameter("to", "must not be earlier than `from`")


def next_url(request: Request[Any, Any, Any], cursor: str, base_url: str | None = None) -> str:
    """The request's own URL with the cursor replaced."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    params.append(("cursor", cursor))
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in params)
    root = (base_url or str(request.base_url)).rstrip("/")
    # url.path is percent-decoded ("South Korea"); a Link target must be a valid URI again.
    return f"{root}{quote(request.url.path)}?{query}"


def _quote(value: str) -> str:
    return quote(value, safe="")


def link_header(url: str | None) -> dict[str, str]:
    return {"Link": f'<{url}>; rel="next"'} if url else {}
