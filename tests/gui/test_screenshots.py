"""The real app on a real X server (Xvfb): each step of a letter, photographed for the docs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from letterdesk.core.engine import default_model_path
from letterdesk.gui.qt import QImage
from tests.gui.conftest import TINY_CHAT_TEMPLATE
from tests.gui.screenshot_driver import SHOTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "screenshots"


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb (xvfb-run) is not installed")
def test_the_real_app_under_xvfb_takes_the_documentation_screenshots(
    tiny_gguf, letterdesk_home, tmp_path
):
    # the docs show letters of the bundled demo model; until it is installed the tiny model
    # stands in (its random text would be no documentation, so those shots stay in tmp_path)
    demo = default_model_path()
    if demo.is_file():
        model_args, out = [str(demo)], DOCS
    else:
        model_args, out = [str(tiny_gguf), TINY_CHAT_TEMPLATE], tmp_path / "screenshots"
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
    for name in SHOTS:
        image = QImage(str(out / f"{name}.png"))
        assert not image.isNull(), name
        assert (image.width(), image.height()) == (1440, 900), name
