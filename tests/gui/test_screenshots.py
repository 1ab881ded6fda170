"""The real app on a real X server (Xvfb): each step of a letter, photographed for the docs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from letterdesk.core.engine.types import default_model_path
from letterdesk.gui.qt import QImage
from tests.gui.conftest import TINY_CHAT_TEMPLATE
from tests.gui.screenshot_driver import SHOTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb (xvfb-run) is not installed")
def test_the_real_app_under_xvfb_takes_the_documentation_screenshots(
    request, letterdesk_home, tmp_path
):
    # the shots go to tmp_path: a test run leaves the committed docs/screenshots as they are
    # (`make screenshots` refreshes those); without the demo model the tiny model stands in
    demo = default_model_path()
    if demo.is_file():
        model_args = [str(demo)]
    else:  # built only when needed: a few seconds of CPU
        model_args = [str(request.getfixturevalue("tiny_gguf")), TINY_CHAT_TEMPLATE]
    out = tmp_path / "screenshots"
    env = {**os.environ, "LETTERDESK_HOME": str(letterdesk_home), "QT_QPA_PLATFORM": "xcb"}
    run = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1600x1000x24",
            sys.executable,
            "-m",
            "tests.gui.screenshot_driver",
            str(out),
            *model_args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(p.stem for p in out.glob("*.png")) == list(SHOTS)
    for name in SHOTS:
        image = QImage(str(out / f"{name}.png"))
        print(f"{name}.png: {image.width()}x{image.height()}")
        assert not image.isNull(), name
        size = (760, 900) if name == "05-case-form" else (1440, 900)  # the form: a dialog
        assert (image.width(), image.height()) == size, name
