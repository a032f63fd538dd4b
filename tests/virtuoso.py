"""A throw-away Virtuoso server for the remote-store tests.

``start()`` runs Debian's ``virtuoso-t`` in the foreground on 127.0.0.1, on two free ports
(HTTP and ISQL), with a new database in a temporary folder and a generated ``virtuoso.ini``;
``Virtuoso.stop()`` terminates it (then kills it) and removes the folder. Install the server
with ``tests/setup_virtuoso.sh``.

Set-up done through ISQL before the tests see the server:
- the ``dba`` password becomes a random one; writes go to ``/sparql-auth`` and
  ``/sparql-graph-crud-auth`` as ``dba`` with HTTP Digest authentication;
- Virtuoso's own graphs (``virtrdf#``, ``ldp#``, the service description) become private, so the
  anonymous ``/sparql`` endpoint sees only the graphs the tests write, as the embedded store does;
- ``[SPARQL] ResultSetMaxRows`` is 1,000,000 (Virtuoso's default of 10,000 truncates silently).
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

RESULT_SET_MAX_ROWS = 1_000_000
START_TIMEOUT = 90.0  # seconds; a new database takes about 4 s on a laptop

_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{isql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 20
CheckpointInterval   = 0
O_DIRECT             = 0
CaseMode             = 2
AllowOSCalls         = 0
DirsAllowed          = ., {dir}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2
MaxQueryMem          = 512M

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}/vsp
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
Charset              = UTF-8
MaxKeepAlives        = 10
KeepAliveTimeout     = 10

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120

[Plugins]
"""

# Run through ISQL once the server is up; the password change comes last, in the same session.
_SETUP_SQL = """\
DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.openlinksw.com/schemas/virtrdf#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/ns/ldp#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localuriqaserver/sparql');
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);
SET PASSWORD dba {password};
checkpoint;
"""


@dataclass
class Virtuoso:
    """A running server: its endpoints, its credentials, and how to stop it."""

    folder: Path
    http_port: int
    isql_port: int
    password: str
    process: subprocess.Popen | None = None
    started_in: float = 0.0
    user: str = "dba"
    _owns_folder: bool = field(default=True, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_endpoint(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_endpoint(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def graph_store_endpoint(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"

    def env(self) -> dict[str, str]:
        """The environment a RemoteStore on this server reads."""
        return {
            "KG_STORE_UPDATE": self.update_endpoint,
            "KG_STORE_GSP": self.graph_store_endpoint,
            "KG_STORE_AUTH": "digest",
            "KG_STORE_USER": self.user,
            "KG_STORE_PASSWORD": self.password,
        }

    def log(self, lines: int = 30) -> str:
        path = self.folder / "virtuoso.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 15.0) -> None:
        """Terminate the server (kill it after ``grace`` seconds) and remove its folder."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=grace)
        if self._owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def executable() -> str | None:
    """The path of ``virtuoso-t``, or None when it is not installed."""
    return shutil.which("virtuoso-t")


def isql_executable() -> str | None:
    return shutil.which("isql-vt") or shutil.which("isql")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*, max_rows: int = RESULT_SET_MAX_ROWS, timeout: float = START_TIMEOUT) -> Virtuoso:
    """Start a new server on free ports with an empty database; raise RuntimeError if it fails."""
    exe, isql = executable(), isql_executable()
    if exe is None or isql is None:
        raise RuntimeError("virtuoso-t or isql-vt is not installed; run tests/setup_virtuoso.sh")
    folder = Path(tempfile.mkdtemp(prefix="newskg-virtuoso-"))
    (folder / "vsp").mkdir()
    server = Virtuoso(folder, free_port(), free_port(), "pw" + secrets.token_hex(12))
    (folder / "virtuoso.ini").write_text(
        _INI.format(dir=folder, isql_port=server.isql_port, http_port=server.http_port, max_rows=max_rows)
    )
    began = time.monotonic()
    _launch(server, exe)
    atexit.register(server.stop)  # should the session end without the fixture's teardown
    try:
        _wait_until_up(server, timeout)
        _run_isql(isql, server, _SETUP_SQL.format(password=server.password))
    except BaseException:
        server.stop()
        raise
    server.started_in = time.monotonic() - began
    return server


def restart(server: Virtuoso, *, timeout: float = START_TIMEOUT) -> None:
    """Start ``server`` again on its own database, after it was killed (Virtuoso replays its
    transaction log); raise RuntimeError if it fails."""
    exe = executable()
    assert exe is not None and (server.process is None or server.process.poll() is not None)
    _launch(server, exe)
    _wait_until_up(server, timeout)


def _launch(server: Virtuoso, exe: str) -> None:
    with open(server.folder / "stdout.log", "ab") as output:  # the child keeps its own copy open
        server.process = subprocess.Popen(
            [exe, "+foreground", "+configfile", str(server.folder / "virtuoso.ini")],
            cwd=server.folder,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _wait_until_up(server: Virtuoso, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"{server.query_endpoint}?query=ASK%20%7B%7D"
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with code {server.process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"virtuoso-t did not answer on {server.base} within {timeout:g} s:\n{server.log()}")


def _run_isql(isql: str, server: Virtuoso, sql: str) -> None:
    # The default dba password of a new database is "dba"; the new one travels on stdin only.
    done = subprocess.run(
        [isql, f"127.0.0.1:{server.isql_port}", "dba", "dba", "VERBOSE=OFF", "ERRORS=STDOUT"],
        input=sql,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in output:
        raise RuntimeError(f"isql set-up of Virtuoso failed (exit {done.returncode}):\n{output}")


def session_server() -> Iterator[Virtuoso]:
    """The body of a session fixture: skip without Virtuoso, but fail on CI, which must test it."""
    import pytest

    if executable() is None:
        reason = "virtuoso-t is not installed: run tests/setup_virtuoso.sh to test the remote store"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(reason + " (CI is set, so the remote store must be tested)", pytrace=False)
        pytest.skip(reason)
    server = start()
    try:
        yield server
    finally:
        server.stop()


if __name__ == "__main__":  # python tests/virtuoso.py: start a server by hand, stop it with Ctrl-C
    s = start()
    print(f"Virtuoso up in {s.started_in:.1f} s at {s.query_endpoint}; export these to use it:")
    for k, v in s.env().items():
        print(f"export {k}={v}")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        s.stop()
