"""The ``regietafel`` command line: run the system, manage the database, run workers."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Callable, Sequence

from services.casework.domain.local_time import local_today
from services.platform.config import ConfigurationError, Mode, Settings, load_settings
from services.platform.logging import configure_logging

Command = Callable[[argparse.Namespace, Settings], int]


def _say(message: str) -> None:
    print(message, flush=True)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Embedded: everything in one process (demo data included). Production: the casework
    service only, on the database as it is (no demo manifests, no demo users)."""
    if settings.mode is Mode.EMBEDDED:
        return _run_embedded(settings)
    return _run_production(settings)


def _run_production(settings: Settings) -> int:
    from services.app import create_app
    from services.runtime import start_runtime
    from services.serve import Served, serve_all

    _say("Regietafel casusdienst start in modus productie")
    if settings.workers > 1:
        return _run_workers(settings)
    with start_runtime(settings) as runtime:
        settings = runtime.settings
        casework = create_app(runtime)
        _say(f"  Casusdienst luistert op {settings.host}:{settings.port}")
        serve_all([Served("casework", casework, settings.host, settings.port)])
    _say("Regietafel gestopt.")
    return 0


def _run_workers(settings: Settings) -> int:
    """Several server processes (``REGIETAFEL_WORKERS``), each building the app itself
    (services/asgi.py); the schema is checked here once before any of them starts."""
    import uvicorn

    from services.runtime import start_runtime

    start_runtime(settings).close()  # refuses a schema that is behind, before forking
    _say(
        f"  Casusdienst luistert op {settings.host}:{settings.port} "
        f"met {settings.workers} processen"
    )
    uvicorn.run(
        "services.asgi:create",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        # A worker busy with a burst answers its supervisor late; restarting it would drop
        # the requests in flight (the default is 5 s).
        timeout_worker_healthcheck=30,
        log_config=None,
        access_log=False,
    )
    _say("Regietafel gestopt.")
    return 0


def _run_embedded(settings: Settings) -> int:
    from analytics.app import create_app as create_analytics_app
    from analytics.cli import release_command
    from analytics.demo import national_demo
    from analytics.settings import AnalyticsSettings
    from services.analytics_link import (
        authenticator,
        export_facts,
        last_complete_quarter,
        open_analytics_database,
    )
    from services.app import create_app
    from services.beheer.tenants import Operator, OperatorRefused
    from services.beheer.tenants import apply as apply_manifests
    from services.demo.seed import seed_demo
    from services.exports.facts import geography_from_tenants
    from services.runtime import start_runtime
    from services.serve import Served, serve_all
    from tenants.manifest import SHIPPED_MANIFESTS_DIR, load_all

    _say(f"Regietafel start in modus ingebed (embedded); gegevens in {settings.data_dir}")
    _say("- PostgreSQL starten en schema bijwerken ...")
    analytics_engine = None
    with start_runtime(settings) as runtime:
        try:
            settings = runtime.settings  # now with the embedded secrets
            _say("- Demo-gemeenten bijwerken vanuit tenants/manifests/ ...")
            try:
                apply_manifests(
                    runtime.sessions,
                    Operator.console("regietafel run"),
                    load_all(SHIPPED_MANIFESTS_DIR),
                    progress=_say,
                )
            except OperatorRefused as error:
                # A destructive change in the shipped manifests: never applied silently.
                from services.cli.tenants import refused

                return refused(error)
            _say("- Demo-casussen (fictief) aanmaken waar nog geen casussen zijn ...")
            seed_demo(runtime.casework, progress=_say)
            _say("- Analysedienst: eigen database bijwerken ...")
            analytics_engine = open_analytics_database(runtime.urls, settings)
            geography = geography_from_tenants(runtime.sessions)
            period = last_complete_quarter(local_today())
            if settings.mode is Mode.EMBEDDED:
                _say(f"- Gepseudonimiseerde feiten {period} naar de analysedienst ...")
                export_facts(
                    runtime.sessions,
                    settings,
                    period,
                    analytics_engine=analytics_engine,
                    progress=_say,
                )
                release_command(
                    period,
                    analytics_engine,
                    geography=geography,
                    settings=AnalyticsSettings.from_settings(settings),
                    echo=lambda line: _say("  " + line),
                )
                _say("- Synthetische landelijke demo (fictief, 342 gemeenten) ...")
                national_demo(
                    analytics_engine,
                    str(local_today().year - 1),
                    settings=AnalyticsSettings.from_settings(settings),
                    echo=lambda line: _say("  " + line),
                )
            casework = create_app(runtime)
            analytics = create_analytics_app(
                settings,
                analytics_engine,
                authenticate=authenticator(runtime.identity),
                geography=geography,
            )
            apps = [
                Served("casework", casework, settings.host, settings.port),
                Served("analytics", analytics, settings.host, settings.analytics_port),
            ]
            base = f"http://{settings.host}:{settings.port}"
            stats = f"http://{settings.host}:{settings.analytics_port}"
            _say("")
            _say(f"  Regietafel (casuswerk):  {base}/")
            _say(f"  Inloggen (demo):         {base}/inloggen  (kies een fictieve gebruiker)")
            _say(f"  Effectcijfers (DP):      {stats}/")
            _say(f"  Gezondheid:              {base}/health/ready  en  {stats}/health/ready")
            openapi = "/api/v1/openapi.json"
            _say(f"  API-documentatie:        {base}{openapi}  en  {stats}{openapi}")
            _say(f"  Verzonden e-mail:        {settings.data_dir / 'mail'}")
            _say("")
            _say("Stoppen: Ctrl-C. Een volgende 'make run' gebruikt dezelfde gegevens.")
            serve_all(apps)
        finally:
            if analytics_engine is not None:
                analytics_engine.dispose()
    _say("Regietafel gestopt.")
    return 0


def cmd_analytics_serve(args: argparse.Namespace, settings: Settings) -> int:
    """The analytics service as its own process (production): its own database role only;
    users are checked by the casework service, the gemeente list comes from it too."""
    import sqlalchemy as sa

    from analytics.app import create_app as create_analytics_app
    from analytics.db.migrate import ANALYTICS
    from services.analytics_link import RemoteAuthenticator, casework_base_url, fetch_geography
    from services.platform.db.provision import require_passwords
    from services.runtime import check_schema_current, database_for, refuse_admin_url
    from services.serve import Served, serve_all

    if settings.mode is Mode.EMBEDDED:
        _say("In de ingebedde modus draait de analysedienst binnen 'regietafel run'.")
        return 2
    refuse_admin_url(settings)
    urls, _ = database_for(settings)
    require_passwords(urls, "analytics")
    check_schema_current(urls.analytics, ANALYTICS)
    _say("Regietafel analysedienst start in modus productie")
    engine = sa.create_engine(
        urls.analytics, pool_size=settings.db_pool_size, pool_pre_ping=True, hide_parameters=True
    )
    authenticate = RemoteAuthenticator(casework_base_url(settings))
    try:
        _say(f"- Gemeentelijst ophalen bij {casework_base_url(settings)} ...")
        geography = fetch_geography(settings, progress=_say)
        app = create_analytics_app(settings, engine, authenticate=authenticate, geography=geography)
        _say(f"  Analysedienst luistert op {settings.host}:{settings.analytics_port}")
        serve_all([Served("analytics", app, settings.host, settings.analytics_port)])
    finally:
        authenticate.close()
        engine.dispose()
        _say("Analysedienst gestopt.")
    return 0


def cmd_analytics_release(args: argparse.Namespace, settings: Settings) -> int:
    from analytics.cli import release_command
    from analytics.settings import AnalyticsSettings
    from services.analytics_link import open_analytics_database
    from services.exports.facts import geography_from_tenants
    from services.runtime import start_runtime

    with start_runtime(settings) as runtime:
        engine = open_analytics_database(runtime.urls, runtime.settings)
        try:
            return release_command(
                args.period,
                engine,
                geography=geography_from_tenants(runtime.sessions),
                settings=AnalyticsSettings.from_settings(runtime.settings),
                echo=_say,
            )
        finally:
            engine.dispose()


def cmd_analytics_export(args: argparse.Namespace, settings: Settings) -> int:
    """Deliver the period's facts to the running analytics service (service token)."""
    from services.analytics_link import analytics_base_url, export_facts
    from services.runtime import start_runtime

    with start_runtime(settings) as runtime:
        _say(f"Feiten {args.period} naar {analytics_base_url(runtime.settings)} ...")
        summary = export_facts(runtime.sessions, runtime.settings, args.period, progress=_say)
    _say(f"Klaar: {summary.records} feitrecords van {summary.gemeenten} gemeenten geleverd.")
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """The migration job: roles (with an admin URL), then both schemas, each as its owner."""
    from services.runtime import upgrade_databases

    current, head = upgrade_databases(settings)
    _say(f"Database bijgewerkt: revisie {current} (laatste: {head}).")
    return 0


def cmd_db_status(args: argparse.Namespace, settings: Settings) -> int:
    from services.platform.db.migrate import status
    from services.runtime import database_for, ensure_embedded_secrets

    urls, server = database_for(ensure_embedded_secrets(settings))
    try:
        current, head = status(urls.app)  # the runtime role's view (a liveness probe too)
    finally:
        if server is not None:
            server.stop()
    state = "actueel" if current == head else "achter: voer 'regietafel db upgrade' uit"
    _say(f"Database-revisie: {current or '(leeg)'}; code: {head}; {state}.")
    return 0 if current == head else 1


def _wait_for_signal() -> None:
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """A separate worker process for RabbitMQ/Redis brokers: consumes every queue."""
    import dramatiq

    from services.runtime import start_runtime

    if settings.broker_url == "stub":
        _say("De stub-broker draait in het proces van 'regietafel run'; geen aparte worker nodig.")
        return 2
    with start_runtime(settings, migrate=False) as runtime:
        worker = dramatiq.Worker(runtime.broker, worker_threads=args.threads)
        worker.start()
        _say(f"Worker gestart ({args.threads} threads) op {settings.broker_url.split('@')[-1]}.")
        try:
            _wait_for_signal()
        finally:
            worker.stop()
    return 0


def cmd_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    """The outbox relay and the periodic jobs. Run it as often as you like: one process
    leads (a PostgreSQL advisory lock), the others stand by."""
    import threading

    from services.runtime import build_scheduler, start_runtime

    if settings.broker_url == "stub":
        _say("Met de stub-broker plant 'regietafel run' zelf; geen aparte planner nodig.")
        return 2
    with start_runtime(settings, migrate=False) as runtime:
        scheduler = build_scheduler(runtime)
        stop = threading.Event()
        thread = threading.Thread(target=scheduler.run_forever, args=(stop,), daemon=True)
        thread.start()
        _say(
            "Planner gestart: "
            + (", ".join(job.name for job in scheduler.jobs) or "geen periodieke taken")
            + "; outbox-relay actief zodra deze planner leider is."
        )
        try:
            _wait_for_signal()
        finally:
            stop.set()
            thread.join(timeout=30)
    return 0


def cmd_dead_letters(args: argparse.Namespace, settings: Settings) -> int:
    """List the dead letters, or replay one (--opnieuw ID) or all (--alle)."""
    import uuid

    from services.platform.outbox.dead_letters import list_dead_letters, replay
    from services.runtime import start_runtime

    if (args.opnieuw or args.alle) and settings.broker_url == "stub":
        _say(
            "Met de stub-broker leeft de wachtrij in het proces van 'regietafel run': verstuur "
            "opnieuw via POST /api/v1/operatie/dead-letters/{id}/opnieuw van dat proces."
        )
        return 2
    with start_runtime(settings, migrate=False) as runtime:
        letters = list_dead_letters(runtime.sessions)
        targets = (
            [letter["id"] for letter in letters]
            if args.alle
            else ([args.opnieuw] if args.opnieuw else [])
        )
        if not targets:
            for letter in letters:
                _say(
                    f"{letter['id']}  {letter['mislukt_op'][:19]}  {letter['taak']}"
                    f"({', '.join(map(str, letter['argumenten']))})  "
                    f"{letter['pogingen']} pogingen  {letter['fout'][:80]}"
                )
            _say(f"{len(letters)} dode bericht(en).")
            return 0
        for letter_id in targets:
            try:
                message_id = replay(runtime.sessions, runtime.broker, uuid.UUID(letter_id))
            except (KeyError, ValueError):
                _say(f"Onbekend of al opnieuw verstuurd: {letter_id}")
                return 1
            _say(f"Opnieuw verstuurd: {letter_id} als bericht {message_id}")
    return 0


def cmd_retention_sweep(args: argparse.Namespace, settings: Settings) -> int:
    """Remove what passed its bewaartermijn (or, with --dry-run, show what would go)."""

    from services.casework.avg.bewaartermijn import sweep
    from services.runtime import start_runtime

    today = dt.date.fromisoformat(args.datum) if args.datum else local_today()
    runtime = start_runtime(settings, migrate=False)
    try:
        results = sweep(runtime.sessions, today, dry_run=args.dry_run, tenants=args.tenant or None)
    finally:
        runtime.close()
    verb = "zou verwijderen" if args.dry_run else "verwijderd"
    for result in results:
        if not result.casussen:
            continue
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        _say(f"{result.tenant_id}: {verb}: {counts}; personen behouden {result.kept_persons}")
        _say(f"  casussen: {', '.join(result.casussen)}")
    total = sum(len(r.casussen) for r in results)
    _say(
        f"{'Proefdraai' if args.dry_run else 'Klaar'} ({today.isoformat()}): {total} casus(sen) "
        f"over de bewaartermijn{'; er is niets gewijzigd' if args.dry_run else ''}."
    )
    return 0


def cmd_policy_bundle(args: argparse.Namespace, settings: Settings) -> int:
    """Build the OPA bundle: policies/ plus the policy data (from the given manifests, or
    the latest revision in the database)."""
    from pathlib import Path

    from services.platform.policy.bundle import write_bundle
    from services.platform.policy.source import PolicySource

    data: dict[str, object]
    if args.manifests is not None:
        from tenants.manifest import load_all, load_manifest
        from tenants.policy_data import build_policy_data

        manifests = []
        for raw in args.manifests:
            path = Path(raw)
            manifests.extend(load_all(path) if path.is_dir() else [load_manifest(path)])
        data = build_policy_data(manifests, set())
    else:
        import sqlalchemy as sa

        from services.platform.db.models import PolicyDataRevision
        from services.platform.db.unit_of_work import platform_transaction
        from services.runtime import start_runtime

        with (
            start_runtime(settings, migrate=False) as runtime,
            platform_transaction(runtime.sessions) as session,
        ):
            row = session.scalars(
                sa.select(PolicyDataRevision)
                .order_by(PolicyDataRevision.created_at.desc())
                .limit(1)
            ).first()
            if row is None:
                _say("Er is nog geen beleidsdata: pas eerst tenantmanifesten toe.")
                return 1
            data = dict(row.document)
    source = PolicySource.load(data)
    output = write_bundle(source, Path(args.output))
    _say(f"OPA-bundel geschreven: {output} (data-revisie {source.data_revision[:12]})")
    return 0


def cmd_probe(args: argparse.Namespace, settings: Settings) -> int:
    """Container health check: 0 when the service answers /health/live (or --url) with 200."""
    import httpx

    port = settings.analytics_port if args.analytics else settings.port
    url = args.url or f"http://127.0.0.1:{port}/health/{'ready' if args.ready else 'live'}"
    try:
        return 0 if httpx.get(url, timeout=3).status_code == 200 else 1
    except httpx.HTTPError:
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regietafel", description="Regietafel: PGA-platform")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start het hele systeem (standaard: ingebed)")
    run.set_defaults(func=cmd_run)
    db = sub.add_parser("db", help="database beheren")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="rollen/databases aanmaken en schema migreren").set_defaults(
        func=cmd_db_upgrade
    )
    db_sub.add_parser("status", help="toon de schema-revisie").set_defaults(func=cmd_db_status)
    from services.cli import tenants as tenant_commands

    tenant_commands.add_parser(sub)
    from services import audit_commands

    audit_commands.add_parser(sub)
    analytics = sub.add_parser("analytics", help="de analysedienst (effectcijfers)")
    asub = analytics.add_subparsers(dest="analytics_command", required=True)
    release = asub.add_parser("release", help="een release publiceren (differentieel privaat)")
    release.add_argument("--period", required=True, help="bijv. 2026-Q3")
    release.set_defaults(func=cmd_analytics_release)
    export = asub.add_parser(
        "export", help="gepseudonimiseerde feiten leveren aan de analysedienst"
    )
    export.add_argument("--period", required=True, help="bijv. 2026-Q3")
    export.set_defaults(func=cmd_analytics_export)
    asub.add_parser("serve", help="de analysedienst als eigen proces (productie)").set_defaults(
        func=cmd_analytics_serve
    )
    worker = sub.add_parser("worker", help="achtergrondtaken verwerken (RabbitMQ/Redis)")
    worker.add_argument("--threads", type=int, default=4)
    worker.set_defaults(func=cmd_worker)
    sub.add_parser(
        "scheduler", help="outbox-relay en periodieke taken (één leider, ook bij meerdere)"
    ).set_defaults(func=cmd_scheduler)
    outbox = sub.add_parser("outbox", help="de outbox en dode berichten")
    osub = outbox.add_subparsers(dest="outbox_command", required=True)
    dead = osub.add_parser("dead-letters", help="dode berichten tonen of opnieuw versturen")
    dead.add_argument("--opnieuw", metavar="ID", help="dit dode bericht opnieuw versturen")
    dead.add_argument("--alle", action="store_true", help="alle dode berichten opnieuw versturen")
    dead.set_defaults(func=cmd_dead_letters)
    probe = sub.add_parser("probe", help="gezondheidscontrole voor containers (exit 0 = gezond)")
    probe.add_argument("--analytics", action="store_true", help="de analysedienst controleren")
    probe.add_argument("--ready", action="store_true", help="/health/ready in plaats van /live")
    probe.add_argument("--url", help="een ander adres controleren")
    probe.set_defaults(func=cmd_probe)
    retention = sub.add_parser("bewaartermijn", help="bewaartermijnen (AVG)")
    rsub = retention.add_subparsers(dest="retention_command", required=True)
    sweep = rsub.add_parser("sweep", help="verwijder wat over de bewaartermijn is")
    sweep.add_argument("--dry-run", action="store_true", help="alleen tonen, niets wijzigen")
    sweep.add_argument("--datum", help="peildatum JJJJ-MM-DD (standaard: vandaag)")
    sweep.add_argument("--tenant", action="append", help="alleen deze gemeente (herhaalbaar)")
    sweep.set_defaults(func=cmd_retention_sweep)
    policy = sub.add_parser("policy", help="het beleid (Rego)")
    psub = policy.add_subparsers(dest="policy_command", required=True)
    bundle = psub.add_parser("bundle", help="een OPA-bundel bouwen uit policies/ en de beleidsdata")
    bundle.add_argument("--output", required=True, help="doelbestand, bijv. bundle.tar.gz")
    bundle.add_argument(
        "--manifests", nargs="*", default=None, help="tenantmanifesten (standaard: uit de database)"
    )
    bundle.set_defaults(func=cmd_policy_bundle)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(settings.log_level, json_output=settings.log_json and args.command != "run")
    func: Command = args.func
    try:
        return func(args, settings)
    except KeyboardInterrupt:
        return 130
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    except Exception as error:
        logging.getLogger("regietafel").debug("command failed", exc_info=error)
        print(f"Fout: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
