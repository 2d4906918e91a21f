"""Progress on stderr for long CLI runs, drawn only for someone watching a terminal."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

# Redrawing per line would cost more than reading it: the bar advances in steps of this many bytes.
STEP_BYTES = 1 << 16
STEP_ROWS = 1000
BOM = b"\xef\xbb\xbf"


def _progress(quiet: bool, *columns: ProgressColumn) -> Progress:
    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        *columns,
        TimeElapsedColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
        # stdout may be carrying data (`detente export`): never touch it.
        redirect_stdout=False,
        redirect_stderr=False,
    )


def reading(quiet: bool) -> Progress:
    """Bytes read of a file (of unknown size for a pipe), and the lines so far."""
    count = TextColumn("{task.fields[lines]:,} lines")
    return _progress(quiet, BarColumn(), DownloadColumn(), TransferSpeedColumn(), count)


def counting(quiet: bool) -> Progress:
    """Rows written out of a known total."""
    return _progress(quiet, BarColumn(), MofNCompleteColumn())


def size_of(source: BinaryIO | io.IOBase) -> int | None:
    """The size of a regular file; None for pipes and terminals, whose end is not known."""
    try:
        info = os.fstat(source.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def lines(
    progress: Progress, source: BinaryIO | Iterable[bytes], description: str, done: str
) -> Iterator[bytes]:
    """The source's lines, one at a time, advancing a bar; `done` names what follows the last."""
    # Lines produced on the fly (from inside an archive, say) have no size known in advance.
    total = size_of(source) if isinstance(source, io.IOBase) else None
    task = progress.add_task(description, total=total, lines=0)
    count = pending = 0
    for raw in source:
        count += 1
        pending += len(raw)
        if pending >= STEP_BYTES:
            progress.update(task, advance=pending, lines=count)
            pending = 0
        # Editors on Windows may start UTF-8 files with a byte order mark, which JSON does not allow.
        yield raw.removeprefix(BOM) if count == 1 else raw
    progress.update(task, advance=pending, lines=count)
    # A task of its own, so that its clock runs while the database works after the last line.
    progress.add_task(done, total=None, lines=count)


class Counter:
    """Advances a rows bar in steps, so that a million rows do not mean a million redraws."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self.progress = progress
        self.task = task
        self.pending = 0

    def add(self, rows: int = 1) -> None:
        self.pending += rows
        if self.pending >= STEP_ROWS:
            self.flush()

    def flush(self) -> None:
        self.progress.update(self.task, advance=self.pending)
        self.pending = 0
