"""A real PostgreSQL server for the tests of the department store (issue 20): ``initdb`` into a
temporary folder, run as an unprivileged user when the tests run as root (the server refuses
root), reachable on a Unix socket and on a TLS-only TCP port whose certificate a throw-away CA
signed. Plain TCP connections are refused by ``pg_hba.conf``, as a department's server would.

``scripts/system-deps.sh`` installs the server; without it the fixture skips.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

SUPERUSER = "it_dba"  # the hospital DBA; not one of LetterDesk's roles
START_SECONDS = 30
_numbers = itertools.count(1)
DEPARTMENT_HOST = "letterdesk-db.klinik.test"
"""A name for the server as another machine would see it (reached at 127.0.0.1 by hostaddr);
its certificate names it, so verify-full holds."""
PASSWORD_LOGIN = "dr_password"
"""The one login the server asks a password of (scram-sha-256); the others are trusted."""
REFUSED = (sqlite3.IntegrityError, psycopg.IntegrityError)
"""What either back end raises when a trigger or constraint refuses a write."""


@dataclass(frozen=True)
class PostgresServer:
    """A running server: where to reach it, and the CA that signed its certificate."""

    folder: Path
    socket_dir: Path
    port: int
    ca_file: Path
    binaries: Path
    options: str

    def _pg_ctl(self, *args: str) -> None:
        command = [str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        done = subprocess.run(
            _as_server_user(command), capture_output=True, timeout=START_SECONDS * 2
        )
        if done.returncode != 0:
            log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl {args[0]} failed: {done.stderr.decode()}\n{log}")

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        self._pg_ctl("start", "-w", "-t", str(START_SECONDS), "-l", str(self.folder / "server.log"),
                     "-o", self.options)  # fmt: skip

    def stop(self) -> None:
        """Stop it the way an administrator's restart does (open connections are cut)."""
        self._pg_ctl("stop", "-m", "fast", "-w")

    def socket_url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """A connection string over the Unix socket."""
        return f"host={self.socket_dir} port={self.port} dbname={database} user={user}"

    def store_url(self, database: str, user: str = SUPERUSER) -> str:
        """The store URL LetterDesk is given for a database, over the Unix socket."""
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def remote_url(self, database: str, sslmode: str = "verify-full") -> str:
        """The store URL as a workstation elsewhere in the hospital would have it (over TCP)."""
        return (
            f"postgresql://{SUPERUSER}@{DEPARTMENT_HOST}:{self.port}/{database}"
            f"?hostaddr=127.0.0.1&sslmode={sslmode}&sslrootcert={self.ca_file}"
        )

    def new_database(self) -> str:
        """A new, empty database for one test; its name."""
        name = f"store_{next(_numbers)}"
        with psycopg.connect(self.socket_url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return name

    def tls_url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """A connection URL to localhost over TCP with the certificate checked (verify-full)."""
        return (
            f"postgresql://{user}@localhost:{self.port}/{database}"
            f"?sslmode=verify-full&sslrootcert={self.ca_file}"
        )


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (Debian's layout), None if none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """Root may not run the server: run it as ``nobody`` then."""
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate for localhost / 127.0.0.1 it signed."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=LetterDesk test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    )
    (folder / "san.ext").write_text(
        f"subjectAltName=DNS:localhost,DNS:{DEPARTMENT_HOST},IP:127.0.0.1\n"
    )
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.crt",
    )
    return folder / "ca.crt", folder / "server.crt", folder / "server.key"


def start_server() -> PostgresServer:
    """initdb into a new temporary folder and start the server there (the caller removes it)."""
    binaries = server_binaries()
    if binaries is None or shutil.which("openssl") is None:
        pytest.skip("the PostgreSQL server is not installed (scripts/system-deps.sh)")
    folder = Path(tempfile.mkdtemp(prefix="letterdesk-postgres-"))
    folder.chmod(0o755)  # the server user reaches its files through it
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    ca_file, cert, key = _certificates(folder)
    data.mkdir(mode=0o700)
    log = folder / "server.log"
    log.touch()
    if os.geteuid() == 0:
        for path in (data, sockets, cert, key, log):
            shutil.chown(path, "nobody")
    key.chmod(0o600)
    subprocess.run(
        _as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER,
                         "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    # TLS-only TCP: a plain connection to the port finds no entry and is refused
    (data / "pg_hba.conf").write_text(
        f"local all {PASSWORD_LOGIN} scram-sha-256\nlocal all all trust\n"
        "hostssl all all 127.0.0.1/32 trust\n",
        encoding="utf-8",
    )
    port = _free_port()
    options = (
        f"-k {sockets} -p {port} -c listen_addresses=127.0.0.1 -c ssl=on"
        f" -c ssl_cert_file={cert} -c ssl_key_file={key} -c fsync=off -c max_connections=200"
    )
    server = PostgresServer(folder, sockets, port, ca_file, binaries, options)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole test session."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
