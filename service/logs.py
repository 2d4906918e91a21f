"""Logging: one JSON object per line, each tagged with the id of the request it belongs to."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from contextvars import ContextVar
from typing import Any

import msgspec

from service.settings import Settings

# Set by the edge middleware for the length of a request, read by every log line it causes.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=` and is a field.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
# uvicorn adds an ANSI-coloured copy of its message; the plain one is enough.
_DROPPED = _STANDARD | {"color_message"}
_MARK = "_detente_handler"


class JsonFormatter(logging.Formatter):
    """Renders a record as one JSON line: time, level, logger, message, request id, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id.get()
        if rid is not None:
            entry["request_id"] = rid
        # Fields given with `extra=` (the access log's, a request_id set explicitly) come last.
        entry.update((k, v) for k, v in record.__dict__.items() if k not in _DROPPED)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry, enc_hook=str).decode()


def _handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _MARK, True)
    if log_format == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    return handler


def configure_logging(settings: Settings) -> None:
    """Send every log line, uvicorn's included, through one handler on the root logger."""
    root = logging.getLogger()
    root.setLevel(settings.log_level.upper())
    # Replace our own handler (create_app may run more than once in a process) ...
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
    # ... but, like logging.basicConfig, leave a root that someone else configured (pytest) alone.
    if not root.handlers:
        root.addHandler(_handler(settings.log_format))
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # The edge middleware writes the access log, with the route and the request id.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
