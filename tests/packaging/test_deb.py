"""The Linux installer, built and used as IT would: the PyInstaller bundle, the .deb made of it,
installed with ``dpkg --install`` into a throwaway root (its dependencies checked against this
machine's installed packages; the machine's own /opt and dpkg database are not touched), and
the installed app run from those files alone: no virtualenv, no PYTHONPATH, a fresh
LETTERDESK_HOME.

Building the bundle takes about a minute on two cores; the .deb is compressed with zstd here
(xz, the release default, takes minutes and tests nothing more).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document
from PyInstaller.archive.readers import CArchiveReader

from tests.core import conftest as core_fixtures
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture
from tests.packaging.test_selftest import word_text

ROOT = Path(__file__).resolve().parents[2]
TRAINING_ONLY = ("training", "torch", "transformers", "peft", "bitsandbytes", "accelerate")
BUNDLED = (
    "letterdesk.core.engine.worker", "letterdesk.core.engine.backend_info", "llama_cpp", "PySide6",
    "docx", "keyring.backends.SecretService", "secretstorage", "jeepney", "sqlcipher3",
    "jinja2", "jsonschema", "platformdirs", "scipy.stats", "krippendorff",
    "matplotlib.backends.backend_qtagg", "rouge_score",
)  # fmt: skip
KEPT_ENV = ("HOME", "DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR", "XDG_DATA_HOME",
            "DBUS_SESSION_BUS_ADDRESS")  # fmt: skip

tiny_checkpoint = core_fixtures.tiny_checkpoint
tiny_gguf = core_fixtures.tiny_gguf


@pytest.fixture(scope="module")
def deb(tmp_path_factory) -> Path:
    """dist/letterdesk_VERSION_ARCH.deb, built from a fresh bundle of this checkout."""
    dist = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    bundle = _run_script("build_bundle.sh", dist)
    print(f"\nPyInstaller bundle built in {time.monotonic() - started:.0f} s", file=sys.stderr)
    assert bundle.returncode == 0, bundle.stderr[-4000:]
    made = _run_script("build_deb.sh", "--bundle", dist / "letterdesk", "--out", dist,
                       DEB_COMPRESSION="zstd")  # fmt: skip
    assert made.returncode == 0, made.stderr[-4000:]
    shutil.rmtree(dist / "letterdesk")  # 400 MB the tests no longer need: they use the .deb
    (package,) = dist.glob("letterdesk_*.deb")
    return package


@pytest.fixture(scope="module")
def installed(deb, tmp_path_factory) -> Path:
    """The root the package was installed into (its /opt/letterdesk, /usr/bin ...)."""
    root = install(deb, tmp_path_factory.mktemp("root"))
    return root


def install(deb: Path, root: Path) -> Path:
    """``dpkg --install`` into ``root``, with a dpkg database that starts as a copy of this
    machine's: dpkg checks the package's dependencies against what is really installed here."""
    admin = root / "var/lib/dpkg"
    for folder in ("info", "updates", "triggers"):
        (admin / folder).mkdir(parents=True)
    shutil.copyfile("/var/lib/dpkg/status", admin / "status")
    done = dpkg(root, "--install", deb)
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def dpkg(root: Path, *args: object) -> subprocess.CompletedProcess:
    """dpkg on the throwaway root and its own database (as root in CI; elsewhere it may not
    change file owners, which the tests do not look at)."""
    owner = [] if os.geteuid() == 0 else ["--force-not-root"]
    return subprocess.run(
        ["dpkg", f"--instdir={root}", f"--admindir={root}/var/lib/dpkg", *owner, *map(str, args)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},  # dpkg wants ldconfig
    )  # fmt: skip


@pytest.fixture(scope="module")
def model(installed, request) -> list[str]:
    """``--model`` arguments: none where the package carries the demo model, else a tiny GGUF."""
    demo = installed / "opt/letterdesk/_internal/resources/models/letterdesk-demo.gguf"
    if demo.is_file():
        return []
    print("\nno demo model in the package: the letter is written by a tiny GGUF", file=sys.stderr)
    return ["--model", str(request.getfixturevalue("tiny_gguf"))]


def _run_script(name: str, *args: object, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ROOT / "packaging" / name, *map(str, args)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHON": sys.executable, **env},
    )  # fmt: skip


def app_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's session: nothing of this checkout or its virtualenv."""
    env = {key: os.environ[key] for key in KEPT_ENV if key in os.environ}
    env.update(PATH="/usr/bin:/bin", LANG="C.UTF-8", LETTERDESK_HOME=str(home), **extra)
    return env


def letterdesk(installed: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([installed / "opt/letterdesk/letterdesk", *args], env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_the_package_installs_the_app_a_launcher_and_a_menu_entry(deb, installed):
    fields = subprocess.run(["dpkg-deb", "-f", deb], capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    status = dpkg(installed, "--status", "letterdesk").stdout
    listed = dpkg(installed, "--listfiles", "letterdesk").stdout.splitlines()

    assert "Status: install ok installed" in status
    assert "/opt/letterdesk/letterdesk" in listed and "/usr/bin/letterdesk" in listed
    launcher = installed / "usr/bin/letterdesk"
    entry = (installed / "usr/share/applications/letterdesk.desktop").read_text(encoding="utf-8")

    assert "Package: letterdesk" in fields and "Depends: libc6 (>= " in fields
    assert os.access(launcher, os.X_OK)
    assert "exec /opt/letterdesk/letterdesk" in launcher.read_text(encoding="utf-8")
    assert "\nExec=letterdesk\n" in entry and "\nIcon=letterdesk\n" in entry
    assert (installed / "usr/share/icons/hicolor/256x256/apps/letterdesk.png").is_file()
    assert (installed / "usr/share/doc/letterdesk/config.example.toml").is_file()


def test_the_bundle_carries_the_app_and_leaves_out_the_trainer(installed):
    app = installed / "opt/letterdesk"
    files = [p.relative_to(app / "_internal") for p in (app / "_internal").rglob("*")]
    archive = CArchiveReader(str(app / "letterdesk")).open_embedded_archive("PYZ.pyz")
    modules = set(archive.toc)

    assert not [m for m in modules if m.split(".")[0] in TRAINING_ONLY]
    assert not [f for f in files if f.parts[0].split(".")[0].split("-")[0] in TRAINING_ONLY]
    assert set(BUNDLED) <= modules
    bundled = {f.as_posix() for f in files if f.parts[0] == "resources"}
    in_repo = {p.relative_to(ROOT).as_posix() for p in (ROOT / "resources").rglob("*")
               if p.is_file()}  # fmt: skip
    assert in_repo <= bundled
    assert any(f.name.startswith("libllama") for f in files)


def test_the_installed_app_says_its_version(installed, tmp_path):
    from letterdesk import __version__

    shown = letterdesk(installed, "--version", env=app_env(tmp_path))

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"LetterDesk {__version__}"


def test_the_installed_selftest_writes_a_letter_on_the_site_settings(installed, model, tmp_path):
    site = tmp_path / "config.toml"
    site.write_text('n_gpu_layers = "0"\nletter_language = "de"\nlocked = ["n_gpu_layers"]\n')
    letter = tmp_path / "selftest.docx"
    env = app_env(tmp_path / "home", LETTERDESK_SITE_CONFIG=str(site))

    checked = letterdesk(installed, "selftest", *model, "--output", str(letter), env=env)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = dict(line[6:].split(": ", 1) for line in checked.stdout.splitlines()[:-1])
    assert "installed app" in lines["installation"]
    assert f"site file {site}, locked: n_gpu_layers" in lines["settings"]
    assert lines["llama.cpp"].startswith(("CPU", "CUDA", "Metal", "Vulkan"))
    assert "tokens" in lines["letter"]
    # the first demo case's letter, on the bundled letterhead
    assert "SYN-DEMO-001" in word_text(letter) and "Musterweg 1" in word_text(letter)


@pytest.mark.usefixtures("secret_service")
def test_the_installed_app_writes_and_exports_a_letter_with_the_keyring(
    installed, model, letterdesk_home, tmp_path
):
    case = json.loads((ROOT / "resources/demo_cases/SYN-DEMO-001.json").read_text("utf-8"))
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    env = app_env(letterdesk_home)

    generated = letterdesk(installed, "generate", str(case_file), *model, "--max-tokens", "32",
                           env=env)  # fmt: skip
    exported = letterdesk(installed, "export", case["case_id"], "--output",
                          str(tmp_path / "brief.docx"), env=env)  # fmt: skip
    checked = letterdesk(installed, "selftest", "--no-letter", env=env)

    assert generated.returncode == 0, generated.stderr
    assert exported.returncode == 0, exported.stderr
    assert "draft" in exported.stdout
    body = "\n".join(p.text for p in Document(str(tmp_path / "brief.docx")).paragraphs)
    assert case["patient"]["family_name"] in body
    assert "keyring.backends.SecretService" in checked.stdout


@pytest.mark.usefixtures("secret_service")
def test_the_installed_app_opens_its_window(installed, tmp_path):
    startup = _measure_startup_module()
    platform = "xcb" if os.environ.get("DISPLAY") else "offscreen"

    # raises StartupFailed when the app ends or shows no window within 60 s; how fast it shows
    # it is the start-up benchmark's to say, side by side (docs/installers.md, section 6)
    seconds = startup.launch(installed / "opt/letterdesk/letterdesk", tmp_path, platform, 60.0)

    print(f"\ninstalled app: window after {seconds:.2f} s ({platform})", file=sys.stderr)


def _measure_startup_module():
    """packaging/measure_startup.py, the benchmark's own launcher (packaging is no package)."""
    path = ROOT / "packaging/measure_startup.py"
    spec = importlib.util.spec_from_file_location("measure_startup", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_removes_cleanly(deb, tmp_path):
    root = install(deb, tmp_path / "root")
    assert (root / "opt/letterdesk/letterdesk").is_file()

    removed = dpkg(root, "--purge", "letterdesk")

    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert list((root / "opt").rglob("*")) == [] and not (root / "usr/bin/letterdesk").exists()
    assert "letterdesk" not in dpkg(root, "--get-selections").stdout
