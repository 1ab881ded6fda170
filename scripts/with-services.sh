#!/usr/bin/env bash
# Runs a command with the services the tests use: a private D-Bus session with an unlocked
# GNOME keyring (the real Secret Service), and an X server (Xvfb) for screenshot tests.
set -euo pipefail
if [ -z "${LETTERDESK_SERVICES:-}" ]; then
  export LETTERDESK_SERVICES=1
  exec dbus-run-session -- "$0" "$@"
fi
export XDG_DATA_HOME="$(mktemp -d)"  # a throwaway login keyring, not the user's
echo -n "letterdesk-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
exec xvfb-run -a -s "-screen 0 1600x1000x24" "$@"
