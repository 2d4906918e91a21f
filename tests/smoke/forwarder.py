"""A TCP forwarder on loopback to the test PostgreSQL: the database "comes up" when it starts."""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import parse_qs, urlsplit


def _target(url: str) -> tuple[int, str | tuple[str, int]]:
    """Socket family and address of the server a PostgreSQL URL names (TCP or Unix socket)."""
    parts = urlsplit(url)
    port = parts.port or 5432
    host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
    if host.startswith("/"):
        return socket.AF_UNIX, f"{host}/.s.PGSQL.{port}"
    return socket.AF_INET, (host, port)


class Forwarder:
    """Accepts on 127.0.0.1:port and pipes each connection to the real server, both ways."""

    def __init__(self, port: int, server_url: str) -> None:
        self.family, self.address = _target(server_url)
        self.listener = socket.create_server(("127.0.0.1", port))
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed while waiting
                return
            upstream = socket.socket(self.family, socket.SOCK_STREAM)
            upstream.connect(self.address)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()
