# LetterDesk: `make run` installs everything and opens the app on the demo model and demo cases;
# `make test` installs everything and runs the whole test suite (what CI runs).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama.cpp is compiled from source by pip: build only the library the app uses, for any x86-64
# CPU with AVX2 (GGML_NATIVE=OFF). A native build (-march=native) on a Xeon with AMX compiles
# llama.cpp's AMX matrix code, which crashed every prompt of more than one token there (general
# protection fault at its ldtilecfg; 2026-12-05, llama-cpp-python 0.3.36, docs/installers.md).
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF \
	-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF
# the llama-cpp-python requirement as pyproject.toml states it
LLAMA_REQUIREMENT = $(shell $(PYTHON) -c "import tomllib; print(next(r for r in \
	tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'] \
	if r.startswith('llama-cpp-python')))")

.PHONY: run test install system-deps lint typecheck contracts pytest demo-model clean

run: install
	$(BIN)/letterdesk

test: install system-deps lint typecheck contracts pytest

install: $(STAMP)

# llama-cpp-python is built on its own, past pip's wheel cache, which ignores CMAKE_ARGS and
# would hand back a wheel built with other flags
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-cache-dir \
		'$(LLAMA_REQUIREMENT)'
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet -e '.[train,dev]'
	touch $(STAMP)

system-deps:
	scripts/system-deps.sh

lint: install
	$(BIN)/ruff check letterdesk training tests benchmarks
	$(BIN)/ruff format --check letterdesk training tests benchmarks

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

pytest: install
	scripts/with-services.sh $(BIN)/python -m pytest -p no:cacheprovider

# the committed demo model's three runs, all on slotted letters (about 80 minutes on 2 CPU cores;
# see README, The model): from scratch without a system message, then with the house-style
# system message, then on longer letters (cases with up to three courses; the committed model's
# first two runs were made before the generator varied how many courses a case has, so a rerun
# differs from it); the last run's checkpoints land in build/demo-model, where the
# style-transfer experiment looks
demo-model: install
	$(BIN)/python -m training demo-model --no-house-style --max-seq-len 1024 --max-steps 1400 \
		--work-dir build/demo-plain --out-dir build/demo-plain/out
	$(BIN)/python -m training demo-model --init-from build/demo-plain/checkpoint-001400 \
		--max-steps $(DEMO_STEPS_2) --learning-rate 1e-3 --warmup-steps 20 --curve-cases 10 \
		--work-dir build/demo-house --out-dir build/demo-house/out
	$(BIN)/python -m training demo-model --init-from build/demo-house/checkpoint-000160 \
		--init-note "$(DEMO_INIT_NOTE)" --max-seq-len 2048 --max-steps $(DEMO_STEPS_3) \
		--learning-rate 1e-3 --warmup-steps 20 --curve-cases 10 --work-dir build/demo-model

DEMO_STEPS_2 := 160
DEMO_STEPS_3 := 240
DEMO_INIT_NOTE := a checkpoint trained on slotted letters from scratch for 1,400 steps without a \
	system message (\`--no-house-style --max-seq-len 1024 --max-steps 1400\`), then 160 steps with \
	it (\`--init-from … --max-steps 160 --learning-rate 1e-3 --warmup-steps 20\`)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache

# The installable app (Linux): the PyInstaller bundle dist/letterdesk/ and the Debian package
# dist/letterdesk_VERSION_ARCH.deb. Windows and macOS: docs/installers.md.
.PHONY: package
package: install
	packaging/build_bundle.sh dist
	packaging/build_deb.sh --bundle dist/letterdesk --out dist

# Refreshes the README's pictures docs/screenshots/*.png: the real app on the demo model under
# Xvfb, in a throwaway LETTERDESK_HOME (tests/gui/test_screenshots.py takes the same pictures
# into a temporary folder, so a test run leaves the committed ones alone).
.PHONY: screenshots
screenshots: install
	home=$$(mktemp -d) && LETTERDESK_HOME=$$home QT_QPA_PLATFORM=xcb scripts/with-services.sh \
		$(BIN)/python -m tests.gui.screenshot_driver docs/screenshots \
		resources/models/letterdesk-demo.gguf; status=$$?; rm -rf "$$home"; exit $$status
