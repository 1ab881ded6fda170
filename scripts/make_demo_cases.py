"""Writes the bundled demo cases (synthetic) into resources/demo_cases/.

Run: .venv/bin/python scripts/make_demo_cases.py  — deterministic; rerunning changes nothing.
"""

from __future__ import annotations

import json
import sys

from letterdesk.core.foundation.paths import resource
from letterdesk.core.synthetic.generator import LETTER_TYPES, generate_case

DEMO_SEED = 2025
PER_KIND = 4  # cases per (language, letter type)


def main() -> int:
    folder = resource("demo_cases")
    folder.mkdir(parents=True, exist_ok=True)
    index = 0
    for language in ("de", "en"):
        for letter_type in LETTER_TYPES:
            for _ in range(PER_KIND):
                case = generate_case(DEMO_SEED, index, language=language, letter_type=letter_type)
                case["case_id"] = f"SYN-DEMO-{index + 1:03d}"
                text = json.dumps(case, ensure_ascii=False, indent=2) + "\n"
                (folder / f"{case['case_id']}.json").write_text(text, encoding="utf-8")
                index += 1
    print(f"{index} synthetic demo cases in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
