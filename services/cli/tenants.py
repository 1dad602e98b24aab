"""``regietafel tenants validate|plan|apply|list|suspend|resume|export``.

The command line is run by the regional bureau's operator on the server: it is not bound to
a region, but every action is audited like the operator API (as ``console/<os-user>``, in
the log of each affected tenant and of its region's bureau). ``apply`` refuses destructive
changes without ``--allow-destructive REASON``; ``export`` needs ``--doel`` and
``--grondslag``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.beheer.tenants import DestructiveRefused, InvalidRequest, OperatorRefused
from services.platform.config import Mode, Settings
from tenants.manifest import (
    SHIPPED_MANIFESTS_DIR,
    Manifest,
    ManifestError,
    ManifestIssue,
    load_all,
    load_manifest,
)
from tenants.reference import EXPORT_LEGAL_BASES, EXPORT_PURPOSES


def _say(message: str) -> None:
    print(message, flush=True)


def _load(paths: list[str]) -> list[Manifest]:
    if not paths:
        return load_all(SHIPPED_MANIFESTS_DIR)
    manifests: list[Manifest] = []
    issues: list[ManifestIssue] = []
    for raw in paths:
        path = Path(raw)
        try:
            manifests.extend(load_all(path) if path.is_dir() else [load_manifest(path)])
        except ManifestError as error:
            issues.extend(error.issues)
    if issues:
        raise ManifestError(issues)
    return manifests


def _report(error: ManifestError) -> int:
    print(
        f"Manifest ongeldig ({len(error.issues)} probleem/problemen); er is niets gewijzigd:",
        file=sys.stderr,
    )
    for issue in error.issues:
        print(f"  {issue}", file=sys.stderr)
    return 1


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    try:
        manifests = _load(args.paths)
    except ManifestError as error:
        return _report(error)
    for m in manifests:
        _say(f"OK  {m.gemeentecode:<14} {m.name} ({m.source})")
    return 0


def refused(error: OperatorRefused) -> int:
    from tenants.diff import format_plan

    print(error.message_nl, file=sys.stderr)
    if isinstance(error, DestructiveRefused):
        for result in error.results:
            print(f"== {result.code} {result.name}", file=sys.stderr)
            print(format_plan(result.changes), file=sys.stderr)
    return 1


def _invalid(error: InvalidRequest) -> int:
    for problem in error.errors:
        print(f"{problem.field}: {problem.message_nl}", file=sys.stderr)
    return 2


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    from services.beheer import tenants as ops
    from services.runtime import start_runtime
    from tenants.diff import format_plan

    try:
        manifests = _load(args.paths)
    except ManifestError as error:
        return _report(error)
    try:
        with start_runtime(settings) as runtime:
            results = ops.plan(runtime.sessions, ops.Operator.console(), manifests)
    except ManifestError as error:
        return _report(error)
    for result in results:
        _say(f"== {result.code} {result.name}")
        _say(format_plan(result.changes) if result.changes else "   (geen wijzigingen)")
    return 0


def cmd_apply(args: argparse.Namespace, settings: Settings) -> int:
    from services.beheer import tenants as ops
    from services.runtime import start_runtime

    if settings.mode is Mode.PRODUCTION and not args.paths:
        print(
            "In productie: noem de manifesten die u wilt toepassen; de meegeleverde "
            "(tenants/manifests/) zijn fictieve demogegevens en worden nooit vanzelf toegepast.",
            file=sys.stderr,
        )
        return 2
    try:
        manifests = _load(args.paths)
    except ManifestError as error:
        return _report(error)
    try:
        with start_runtime(settings) as runtime:
            results = ops.apply(
                runtime.sessions,
                ops.Operator.console(),
                manifests,
                allow_destructive=args.allow_destructive,
                progress=_say,
            )
    except ManifestError as error:
        return _report(error)
    except OperatorRefused as error:
        return refused(error)
    except InvalidRequest as error:
        return _invalid(error)
    changed = sum(1 for r in results if r.changes)
    _say(f"Klaar: {len(results)} tenant(s) verwerkt, {changed} gewijzigd.")
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from services.beheer import tenants as ops
    from services.runtime import start_runtime

    with start_runtime(settings) as runtime:
        tenants = ops.list_tenants(runtime.sessions, ops.Operator.console())
    _say(f"{'code':<14} {'soort':<9} {'status':<11} {'regio':<16} naam")
    for t in tenants:
        _say(f"{t.code:<14} {t.kind.value:<9} {t.status.value:<11} {t.region:<16} {t.name}")
    return 0


def _set_status(args: argparse.Namespace, settings: Settings, suspend: bool) -> int:
    from services.beheer import tenants as ops
    from services.platform.db.models import TenantStatus
    from services.runtime import start_runtime

    try:
        with start_runtime(settings) as runtime:
            status = TenantStatus.SUSPENDED if suspend else TenantStatus.ACTIVE
            tenant = ops.set_status(
                runtime.sessions,
                ops.Operator.console(),
                args.code,
                status,
                getattr(args, "reason", None),
            )
    except OperatorRefused as error:
        return refused(error)
    verb = "opgeschort: inloggen en API-toegang geblokkeerd" if suspend else "weer actief"
    _say(f"{tenant.code} {tenant.name} is {verb}. Er zijn geen gegevens verwijderd.")
    return 0


def cmd_suspend(args: argparse.Namespace, settings: Settings) -> int:
    return _set_status(args, settings, suspend=True)


def cmd_resume(args: argparse.Namespace, settings: Settings) -> int:
    return _set_status(args, settings, suspend=False)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from services.beheer import tenants as ops
    from services.runtime import start_runtime
    from tenants.provision import export_json

    try:
        with start_runtime(settings) as runtime:
            archive = ops.export(
                runtime.sessions,
                ops.Operator.console(),
                args.code,
                purpose=args.doel,
                legal_basis=args.grondslag,
                explanation=args.toelichting,
            )
    except OperatorRefused as error:
        return refused(error)
    except InvalidRequest as error:
        return _invalid(error)
    out = Path(args.output or f"{args.code}-export.json")
    out.write_text(export_json(archive), encoding="utf-8")
    out.chmod(0o600)
    rows = sum(archive["row_counts"].values())
    _say(f"Export van {args.code}: {rows} rijen uit {len(archive['tables'])} tabellen -> {out}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tenants = sub.add_parser("tenants", help="gemeenten (tenants) beheren vanuit manifesten")
    tsub = tenants.add_subparsers(dest="tenants_command", required=True)
    for name, func, text in (
        ("validate", cmd_validate, "manifesten controleren (zonder database)"),
        ("plan", cmd_plan, "toon wat 'apply' zou wijzigen (! = destructief)"),
        ("apply", cmd_apply, "manifesten toepassen (idempotent, in één transactie)"),
    ):
        p = tsub.add_parser(name, help=text)
        p.add_argument(
            "paths", nargs="*", help="manifestbestanden of -mappen (standaard: meegeleverd)"
        )
        if name == "apply":
            p.add_argument(
                "--allow-destructive",
                metavar="REDEN",
                default=None,
                help="destructieve wijzigingen (hernoemen, verplaatsen, verwijderen van "
                "organisaties of gebruikers met casuswerk) toch toepassen; de reden komt in "
                "het auditlog",
            )
        p.set_defaults(func=func)
    tsub.add_parser("list", help="alle tenants").set_defaults(func=cmd_list)
    suspend = tsub.add_parser("suspend", help="toegang blokkeren zonder gegevens te verwijderen")
    suspend.add_argument("code")
    suspend.add_argument("--reason", default=None)
    suspend.set_defaults(func=cmd_suspend)
    resume = tsub.add_parser("resume", help="opgeschorte tenant weer toelaten")
    resume.add_argument("code")
    resume.set_defaults(func=cmd_resume)
    export = tsub.add_parser("export", help="alle gegevens van een tenant als JSON-archief")
    export.add_argument("code")
    export.add_argument("-o", "--output", default=None)
    export.add_argument(
        "--doel", required=True, choices=sorted(EXPORT_PURPOSES), help="doel van de export"
    )
    export.add_argument(
        "--grondslag",
        required=True,
        choices=sorted(EXPORT_LEGAL_BASES),
        help="grondslag (art. 6 AVG) van de export",
    )
    export.add_argument("--toelichting", default=None, help="bijv. kenmerk van het verzoek")
    export.set_defaults(func=cmd_export)
