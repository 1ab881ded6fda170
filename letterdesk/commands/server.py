"""``letterdesk server-key``: keep the letter server's API key in the system keyring.

The key IT gives out for the department's OpenAI-compatible server (llama-server, llama-cpp-
python's server, vLLM) is typed once, checked by asking the server which model it serves, and
kept in the keyring for that server's URL; it is sent to that server only.
"""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``server-key``."""
    parser = sub.add_parser(
        "server-key",
        help="keep the letter server's API key in the system keyring",
        description="Ask for the letter server's API key, check it with the server, then keep "
        "it in the system keyring for that server's URL (default: server_url in the settings).",
    )
    parser.add_argument("--url", help="the letter server's base URL")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    import dataclasses
    import getpass

    from letterdesk.core.engine.server import ServerBackend
    from letterdesk.core.engine.types import engine_settings
    from letterdesk.core.foundation.errors import ConfigurationError
    from letterdesk.core.foundation.settings import load_settings
    from letterdesk.core.security import logins

    settings = engine_settings(load_settings())
    if args.url:
        settings = dataclasses.replace(settings, server_url=args.url, backend="server")
    if settings.backend != "server":
        raise ConfigurationError("No letter server is configured.", "Give --url or server_url.")
    key = getpass.getpass(f"API key of the letter server at {settings.server_url}: ")
    info = ServerBackend(settings, api_key=key).load()  # try it before keeping it
    logins.save_server_key(settings.server_url.rstrip("/").removesuffix("/v1"), key)
    print(f"letterdesk: key kept; the server serves {info.name}", file=sys.stderr)
    return 0
