"""Time from launching LetterDesk to its window on screen (the target: at most 2 s).

    python3 packaging/measure_startup.py --app /opt/letterdesk/letterdesk
    xvfb-run -a python3 packaging/measure_startup.py --app dist/letterdesk/letterdesk \\
        --app .venv/bin/letterdesk            # side by side: the bundle and the source tree

Each app is started ``--runs`` times, alternating between apps, with a throwaway
LETTERDESK_HOME (the first run creates the store and imports the demo cases, later runs open
it) and LETTERDESK_STARTUP_MARKER set: the app writes the time its main window is first
exposed into that file (letterdesk/gui/app.py). The model keeps loading in the background
after that; it is not waited for. The app is then stopped. Only the standard library is used,
so any python3 can run this against an installed app.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class StartupFailed(Exception):
    """The app ended, or showed no window in time."""


KEPT_ENV = (
    "PATH",
    "HOME",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
    "XDG_RUNTIME_DIR",
    "DBUS_SESSION_BUS_ADDRESS",
    "LANG",
    "LC_ALL",
)


def main() -> int:
    """Measure every app, print a table and the verdict; 1 when the warm median is over."""
    args = _arguments()
    apps = [Path(app).resolve() for app in args.app]
    homes = {app: Path(tempfile.mkdtemp(prefix="letterdesk-startup-")) for app in apps}
    times: dict[Path, list[float]] = {app: [] for app in apps}
    try:
        for run in range(args.runs):
            for app in apps:
                seconds = launch(app, homes[app], args.platform, args.timeout)
                times[app].append(seconds)
                print(f"run {run + 1} {app}: {seconds:.2f} s", flush=True)
    finally:
        for home in homes.values():
            shutil.rmtree(home, ignore_errors=True)
    print(f"\nplatform {args.platform}; first run creates the store, later runs open it")
    worst = 0.0
    for app in apps:
        first, warm = times[app][0], times[app][1:] or times[app]
        median = statistics.median(warm)
        worst = max(worst, median)
        print(
            f"{app}: first {first:.2f} s, then median {median:.2f} s "
            f"(min {min(warm):.2f}, max {max(warm):.2f})"
        )
    if len(apps) == 2:
        a, b = (statistics.median(times[app][1:] or times[app]) for app in apps)
        print(f"ratio {apps[0].name} / {apps[1].name}: {a / b:.2f}")
    verdict = "within" if worst <= args.limit else "OVER"
    print(f"{verdict} the {args.limit:.1f} s target")
    return 0 if worst <= args.limit else 1


def launch(app: Path, home: Path, platform: str, timeout: float) -> float:
    """Start ``app``, wait for its startup marker, stop it; seconds from launch to window.

    Raises StartupFailed when the app ends first or shows no window within ``timeout``.
    """
    marker = home / "window-shown"
    marker.unlink(missing_ok=True)
    env = {key: os.environ[key] for key in KEPT_ENV if key in os.environ}
    env.update(
        LETTERDESK_HOME=str(home / "data"),
        LETTERDESK_PASSPHRASE="startup-benchmark",  # no passphrase dialog where no keyring is
        LETTERDESK_STARTUP_MARKER=str(marker),
        QT_QPA_PLATFORM=platform,
    )
    log = (home / "stderr.log").open("w+b")  # a file, not a pipe: a full pipe would stall it
    started = time.time()
    process = subprocess.Popen(
        [str(app)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,  # its own process group: the engine worker is stopped too
    )
    try:
        while not marker.exists():
            if process.poll() is not None:
                log.seek(0)
                raise StartupFailed(
                    f"{app} ended ({process.returncode}) before its window showed:\n"
                    + log.read().decode(errors="replace")
                )
            if time.time() - started > timeout:
                raise StartupFailed(f"{app}: no window after {timeout:.0f} s")
            time.sleep(0.005)
        time.sleep(0.05)  # the marker is written in one call; let it land
        return float(marker.read_text(encoding="utf-8")) - started
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            break
        try:
            process.wait(5)
            break
        except subprocess.TimeoutExpired:
            continue


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--app",
        action="append",
        required=True,
        help="the letterdesk executable (repeat to compare two side by side)",
    )
    parser.add_argument("--runs", type=int, default=5, help="starts per app (default 5)")
    parser.add_argument(
        "--platform",
        default="xcb" if os.environ.get("DISPLAY") else "offscreen",
        help="Qt platform plugin (default: xcb with a DISPLAY, else offscreen)",
    )
    parser.add_argument("--limit", type=float, default=2.0, help="target in seconds (2)")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up after (60 s)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StartupFailed as exc:
        sys.exit(f"measure_startup: {exc}")
