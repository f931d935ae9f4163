"""Helpers for tests that run real servers on loopback: free ports and managed processes."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A loopback TCP port nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_process(command: Sequence[str], log_path: Path, ready: Callable[[], bool], *,
                    what: str, start_timeout_s: float, stop_timeout_s: float = 10.0
                    ) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command`` (output to ``log_path``), wait until ``ready()``, SIGTERM it after.

    Fails the test with the end of the log when the process exits or times out while starting.
    """
    with log_path.open("wb") as log:
        process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + start_timeout_s
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"{what} did not come up; its log ends:\n{tail}")
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=stop_timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=stop_timeout_s)
