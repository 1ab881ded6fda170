"""``letterdesk selftest``: does this installation work? For IT after installing or rolling out.

Checks, each reported on stdout as one ``ok`` or ``FAIL`` line: the bundled resources, the
settings (site file and user file), which llama.cpp backend runs (CPU, CUDA, Metal …), the
keyring, and, unless ``--no-letter``, a whole letter: a demo case is imported into a
throwaway store, a draft is written by the configured model (or ``--model``) and exported
to Word on the configured letterhead. The user's store, settings and keyring are not
touched. Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

REQUIRED_RESOURCES = (
    "case.schema.json",
    "rating_dimensions.json",
    "prompts",
    "letterhead/letterhead.docx",
    "demo_cases",
    "i18n",
    "report/report.html.j2",
    "synthetic/catalogue.toml",
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``selftest`` with the command's subparsers."""
    parser = sub.add_parser(
        "selftest",
        help="check this installation: resources, settings, llama.cpp backend, keyring, "
        "and one demo letter written and exported",
        description="Check this installation and say what it runs on. The demo letter is "
        "written into a throwaway store: your letters, settings and keyring stay untouched. "
        "Exit status 0 when every check passed, 1 otherwise.",
    )
    parser.add_argument("--model", type=Path, help="GGUF model file (default: as configured)")
    parser.add_argument(
        "--max-tokens",
        type=int,
        default=48,
        metavar="N",
        help="length of the test letter in tokens (default 48)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE.docx",
        help="keep the exported test letter here (default: it is deleted)",
    )
    parser.add_argument(
        "--no-letter", action="store_true", help="skip writing and exporting the test letter"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run every check, print one line each; 0 when all passed."""
    checks: list[tuple[str, Callable[[], str]]] = [
        ("installation", _installation),
        ("resources", lambda: _resources(args.model is not None)),
        ("settings", _settings),
        ("llama.cpp", _backend),
        ("keyring", _keyring),
    ]
    if not args.no_letter:
        checks.append(("letter", lambda: _letter(args.model, args.max_tokens, args.output)))
    failed = 0
    for name, check in checks:
        try:
            detail = check()
        except Exception as exc:  # noqa: BLE001 - a self-test reports every failure and goes on
            failed += 1
            print(f"FAIL  {name}: {_explain(exc)}", flush=True)
        else:
            print(f"ok    {name}: {detail}", flush=True)
    print(f"selftest: {len(checks) - failed} of {len(checks)} checks passed", flush=True)
    return 1 if failed else 0


def _explain(exc: Exception) -> str:
    from letterdesk.core.foundation.errors import LetterDeskError

    if isinstance(exc, LetterDeskError):
        return f"{exc.message} (hint: {exc.hint})" if exc.hint else exc.message
    return f"{type(exc).__name__}: {exc}"


def _installation() -> str:
    from letterdesk import __version__
    from letterdesk.core.foundation.paths import resources_dir

    kind = "installed app" if getattr(sys, "frozen", False) else f"Python {sys.executable}"
    return f"LetterDesk {__version__}, {kind}, resources in {resources_dir()}"


def _resources(model_given: bool) -> str:
    from letterdesk.core.engine.types import default_model_path
    from letterdesk.core.foundation.paths import resource

    missing = [name for name in REQUIRED_RESOURCES if not resource(*name.split("/")).exists()]
    demo_model = default_model_path()
    if not demo_model.is_file() and not model_given:
        missing.append(f"models/{demo_model.name}")
    if missing:
        raise FileNotFoundError("missing: " + ", ".join(missing))
    cases = len(list(resource("demo_cases").glob("*.json")))
    model = (
        f"demo model {demo_model.stat().st_size / 2**20:.0f} MiB"
        if demo_model.is_file()
        else "no demo model (--model given)"
    )
    return f"{len(REQUIRED_RESOURCES)} present, {cases} demo cases, {model}"


def _settings() -> str:
    from letterdesk.core.foundation.settings import load_settings, site_config_path

    settings = load_settings()
    site = site_config_path()
    where = f"site file {site}" if site.is_file() else f"no site file ({site})"
    locked = f", locked: {', '.join(settings.locked)}" if settings.locked else ""
    model = settings.model_path or "the demo model"
    return f"{where}{locked}; model: {model}; GPU layers: {settings.n_gpu_layers}"


def _backend() -> str:
    from letterdesk.core.engine.backend_info import backend_info

    return backend_info().summary()


def _keyring() -> str:
    from letterdesk.core.security.encryption import keyring_backend

    backend, why = keyring_backend()
    if backend is None:
        return f"none ({why}): stores are protected by a passphrase"
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _letter(model: Path | None, max_tokens: int, output: Path | None) -> str:
    """Import a demo case into a throwaway store, write its draft, export it to Word."""
    import keyring
    from keyring.backends import fail

    from letterdesk.core.desk.importing import import_files
    from letterdesk.core.documents.docx import export_letter
    from letterdesk.core.engine.factory import open_engine
    from letterdesk.core.engine.types import DecodingOptions, engine_settings
    from letterdesk.core.foundation.errors import CaseFileError
    from letterdesk.core.foundation.paths import resource
    from letterdesk.core.foundation.settings import load_settings
    from letterdesk.core.generation.draft import generate_letter
    from letterdesk.core.store.database import Store

    settings = engine_settings(load_settings()).checked()
    if model is not None:
        settings = replace(settings, backend="local", model_path=model)
    case_file = sorted(resource("demo_cases").glob("*.json"))[0]
    # the throwaway store's key comes from a random passphrase, never from the user's keyring
    keyring.set_keyring(fail.Keyring())
    with tempfile.TemporaryDirectory(prefix="letterdesk-selftest-") as folder:
        store_file = Path(folder) / "selftest.sqlite3"
        with Store(store_file, passphrase_provider=lambda _: secrets.token_urlsafe(24)) as store:
            imported = import_files(store, [case_file])
            if imported.rejected:
                raise CaseFileError(str(case_file), list(imported.rejected[0].problems))
            case_id = imported.imported[0].case_id
            engine = open_engine(settings)
            started = time.monotonic()
            try:
                result = generate_letter(
                    store, case_id, engine, options=DecodingOptions(max_tokens=max_tokens)
                )
            finally:
                engine.close()
            took = time.monotonic() - started
            target = output.resolve() if output is not None else Path(folder) / "selftest.docx"
            exported = export_letter(store, result.letter.id, result.revision.id, target)
            size = exported.path.stat().st_size
    timing = result.timing
    return (
        f"{settings.model.name if settings.backend == 'local' else settings.server_url}: "
        f"{timing.completion_tokens} tokens in {took:.1f} s including loading "
        f"({timing.tokens_per_s:.1f} tokens/s); exported to Word ({size} bytes"
        f"{', ' + str(exported.path) if output is not None else ''})"
    )
