"""The real PostgreSQL server the department-store tests run against (issue 20): reachable on
its socket and over TLS with the certificate checked, and refusing plain TCP."""

from __future__ import annotations

import psycopg
import pytest

from tests.postgres_server import postgres  # noqa: F401 - a fixture


def test_the_server_answers_on_its_socket_and_over_verified_tls(postgres):  # noqa: F811
    with psycopg.connect(postgres.socket_url()) as local:
        assert local.execute("SELECT current_user").fetchone() == ("it_dba",)
    with psycopg.connect(postgres.tls_url()) as remote:
        (ssl,) = remote.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        assert ssl == (True,)


def test_a_plain_tcp_connection_is_refused(postgres):  # noqa: F811
    plain = f"postgresql://it_dba@127.0.0.1:{postgres.port}/postgres?sslmode=disable"
    with pytest.raises(psycopg.OperationalError, match="no pg_hba.conf entry"):
        psycopg.connect(plain)
