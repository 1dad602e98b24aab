"""``regietafel audit verify [--tenant X]`` and ``regietafel audit checkpoint``.

``verify`` walks each of every tenant's hash chains (services/authz/chain.py) and prints,
per tenant, "intact" or the first broken link by row id and chain; exit status 1 when any
chain is broken. ``checkpoint`` records the current head of every chain of every tenant (the
owner's function; the scheduler's periodic job ``auditketen`` does both).
"""

from __future__ import annotations

import argparse
import sys

from services.platform.config import Settings


def _say(message: str) -> None:
    print(message, file=sys.stdout, flush=True)


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    from services.platform.authz.chain import tenants, verify
    from services.platform.logging import current_trace
    from services.runtime import start_runtime

    current_trace()
    runtime = start_runtime(settings, migrate=False)
    try:
        with runtime.engine.connect() as conn:
            unknown = sorted(set(args.tenant or ()) - set(tenants(conn)))
        if unknown:
            _say(f"Onbekende tenant(s): {', '.join(unknown)}.")
            return 2
        reports = verify(runtime.engine, args.tenant or None)
    finally:
        runtime.close()
    for report in reports:
        _say(report.describe())
    bad = [r for r in reports if not r.ok]
    _say(
        f"{len(reports)} keten(s) gecontroleerd, {len(bad)} gebroken."
        if reports
        else "Geen tenants gevonden."
    )
    return 1 if bad else 0


def cmd_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    from services.platform.authz.chain import checkpoint
    from services.runtime import start_runtime

    runtime = start_runtime(settings, migrate=False)
    try:
        written = checkpoint(runtime.engine)
    finally:
        runtime.close()
    _say(f"{written} controlepunt(en) vastgelegd.")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="het auditlog (hash-ketens per tenant)")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    check = asub.add_parser("verify", help="de keten controleren; meldt de eerste breuk per rij")
    check.add_argument(
        "--tenant", action="append", metavar="CODE", help="alleen deze tenant (herhaalbaar)"
    )
    check.set_defaults(func=cmd_verify)
    asub.add_parser(
        "checkpoint", help="de huidige ketenkoppen vastleggen (tegen afkappen)"
    ).set_defaults(func=cmd_checkpoint)
