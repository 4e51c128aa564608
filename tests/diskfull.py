"""A disk that fills up, for tests: writes of the portal's temporary files (`.part`, written with
os.write) and whole-file writes with Path.write_bytes succeed until `free` bytes are used, then fail
with ENOSPC — after part of a file was written, as a real full disk does. Other writes of the
process are untouched."""
from __future__ import annotations

import errno
import os
from pathlib import Path


def fill_disk_after(monkeypatch, free: int) -> None:
    real_write = os.write
    left = {"bytes": free}

    def write(fd, data):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if not target.endswith(".part"):
            return real_write(fd, data)
        if left["bytes"] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        size = min(len(data), left["bytes"])
        left["bytes"] -= size
        return real_write(fd, bytes(data[:size]))

    real_write_bytes = Path.write_bytes

    def write_bytes(path, data):
        size = min(len(data), left["bytes"])
        left["bytes"] -= size
        real_write_bytes(path, bytes(data[:size]))
        if size < len(data):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return size

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(Path, "write_bytes", write_bytes)
