"""One store, one writer: a second process is refused (or reads read-only), never corrupts it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.store import single_writer
from letterdesk.core.store.database import Store
from letterdesk.core.store.single_writer import StoreInUse
from tests.core.sample_cases import case
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("secret_service")

# A second LetterDesk process: opens the store, says so, writes when told, exits on "quit".
HOLDER = textwrap.dedent(
    """
    import json, sys
    from letterdesk.core.cases.case import parse_case
    from letterdesk.core.store.database import Store
    from tests.core.sample_cases import case
    with Store() as store:
        print("open", flush=True)
        for line in sys.stdin:
            if line.strip() == "quit":
                break
            document = case(case_id=line.strip())
            store.import_cases([parse_case(json.dumps(document))])
            print("stored", flush=True)
    """
)


@contextmanager
def other_process() -> Iterator[subprocess.Popen[str]]:
    """Another LetterDesk process holding the store open until the block ends."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            line = holder.stdout.readline()
            assert line.strip() == "open", holder.stderr.read()
            yield holder
        finally:
            if holder.poll() is None:
                holder.kill()


def test_a_second_process_is_refused_with_a_message_and_may_read():
    with Store() as store:
        store.import_cases([parse_case(json.dumps(case()))])
    with other_process() as holder:
        with pytest.raises(StoreInUse, match="already open in another LetterDesk") as refused:
            Store()
        assert f"process {holder.pid}" in refused.value.message
        with Store(read_only=True) as reader:
            assert [c.case_id for c in reader.cases()] == ["SYN-TEST-0001"]
            with pytest.raises(Exception, match="readonly"):
                reader.import_cases([parse_case(json.dumps(case(case_id="SYN-RO")))])
        holder.stdin.write("SYN-FROM-HOLDER\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "stored"
        with Store(read_only=True) as reader:  # sees the other process's committed write
            assert "SYN-FROM-HOLDER" in {c.case_id for c in reader.cases()}


def test_the_lock_goes_with_the_process_even_when_it_is_killed():
    Store().close()
    with other_process() as holder:
        with pytest.raises(StoreInUse):
            Store()
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    with Store() as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_stores_of_one_process_share_the_lock_and_the_last_close_releases_it():
    first = Store()
    second = Store()  # the GUI's store worker and its generation thread each open one
    assert first.writer.sharers == second.writer.sharers == 2
    second.close()
    second.close()  # closing twice gives nothing back twice
    assert first.writer.sharers == 1
    probe = [
        sys.executable,
        "-c",
        "from letterdesk.core.store.database import Store; Store().close()",
    ]
    still_held = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    assert still_held.returncode != 0 and "StoreInUse" in still_held.stderr
    first.close()
    released = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    assert released.returncode == 0, released.stderr


def test_a_store_that_fails_to_open_does_not_keep_the_lock(letterdesk_home):
    bad = letterdesk_home / "letterdesk.sqlite3"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(Exception, match="cannot be opened"):
        Store(bad)
    lease = single_writer.acquire(bad)
    assert lease.sharers == 1
    lease.release()


def test_two_processes_writing_at_once_leave_one_sound_store():
    Store().close()
    writer = textwrap.dedent(
        """
        import json, sys
        from letterdesk.core.cases.case import parse_case
        from letterdesk.core.store.single_writer import StoreInUse
        from letterdesk.core.store.database import Store
        from tests.core.sample_cases import case
        try:
            with Store() as store:
                for i in range(40):
                    document = case(case_id=f"{sys.argv[1]}-{i}")
                    store.import_cases([parse_case(json.dumps(document))])
        except StoreInUse:
            print("refused")
        else:
            print("wrote")
        """
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", writer, name], stdout=subprocess.PIPE, text=True)
        for name in ("A", "B")
    ]
    outcomes = []
    for run in runs:
        with run:
            outcomes.append(run.communicate(timeout=120)[0].strip())
    assert "wrote" in outcomes and set(outcomes) <= {"wrote", "refused"}
    with Store() as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(store.cases()) == 40 * outcomes.count("wrote")
        assert store.verify_audit().first_bad is None
