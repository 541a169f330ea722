"""The unit layer is pure: a test here that opens a socket or starts a process fails, saying which.
Anything that needs a server, the simulator or a database belongs in tests/e2e or tests/system."""

from __future__ import annotations

import socket
import subprocess

import pytest


@pytest.fixture(autouse=True)
def no_sockets_no_processes(monkeypatch):
    def refuse(what: str):
        def refused(*args, **kwargs):
            raise AssertionError(f"a unit test {what}: move it to tests/e2e or tests/system")

        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("opened a connection"))
    monkeypatch.setattr(socket.socket, "bind", refuse("opened a listening socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("opened a connection"))
    monkeypatch.setattr(subprocess.Popen, "__init__", refuse("started a process"))
