"""Owner-only files and folders for everything under the data directory: the log, the read models (with the relay's
checkpoints and dead letters) and the documents hold applicants' names and e-mail addresses.

Folders are 0700 and files 0600, like the secrets file. An SQLite database is created empty with 0600 before SQLite
opens it, because SQLite gives its -wal and -shm files the database file's permissions. What an older version left
group- or world-readable is tightened when it is opened. The process umask is left alone (it is process-wide).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal", ".writer-lock")  # the last: the event log's writers


class UnsafeDataFile(OSError):
    """A file in the data directory that is a symbolic link: whatever it points at would be written (and its
    permissions left as they are), so it is refused rather than followed."""


def private_directory(path: Path | str) -> Path:
    """The folder, created with its missing parents as 0700; tightened to owner-only if it already existed."""
    path = Path(path)
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by another thread or process meanwhile
            folder.mkdir(mode=DIRECTORY_MODE)
    tighten(path.resolve())  # a folder may be a link (the data directory on another disk): its target is tightened
    return path


def private_file(path: Path | str) -> Path:
    """The file, created empty as 0600 if missing; tightened to owner-only if it already existed.

    An existing file is never opened here: closing a descriptor drops every POSIX lock this process holds on the
    file, and SQLite's locks are POSIX locks (another store's connection to the same database would lose them, and
    another process would then delete the WAL it is still writing)."""
    path = Path(path)
    if not os.path.lexists(path):
        with contextlib.suppress(FileExistsError):  # made by another thread or process meanwhile
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE))
    tighten(path)
    return path


def private_sqlite_file(path: Path | str) -> Path:
    """A database file (and its folder) owner-only before SQLite opens it, and any side files it already has."""
    path = Path(path)
    private_directory(path.parent)
    private_file(path)
    for suffix in SQLITE_SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            tighten(side)
    return path


def tighten(path: Path | str) -> None:
    """Remove group and other permissions from a file or folder this user owns (someone else's is left alone)."""
    info = os.stat(path, follow_symlinks=False)
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeDataFile(f"{path} is a symbolic link: the data directory's files must be real files")
    mode = stat.S_IMODE(info.st_mode)
    if info.st_uid == os.getuid() and mode & 0o077:
        os.chmod(path, mode & 0o700, follow_symlinks=False)
