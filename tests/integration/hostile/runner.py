"""Running the probes and judging every answer with the oracle.

A finding is one of:

- ``lezen`` (read leak): the answer contains a canary the caller may not see: a casus of a
  foreign tenant not shared with them, a non-participated casus, a role without casework
  access, or a category masked for their view, domain, purpose (or an unknown purpose);
- ``schrijven`` (write leak): the request changed rows of a casus (or meeting, tenant, user)
  the caller may not change; a change that survives a refusal is reported as well;
- ``geen-casework-rol``: a 2xx with casework content (casus or overleg route) for a subject
  whose roles give no casework access at all (tenantbeheerder, platformbeheerder,
  burgemeester-contactpersoon, onderzoeker);
- ``score``: an assessment score of a leefgebied whose category is masked for the reader;
- ``medewerker``: user ids or names of the professionals on a casus in a pseudonymised or
  anonymised view;
- ``gedeeltelijk``: a refused or invalid request (4xx/5xx) that still changed rows;
- ``geen-problem-json``: an API error that is not problem+json;
- ``5xx``: any server error (bad or hostile input must give a 4xx problem).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient

from services.platform.identity.authn import COOKIE
from tenants.reference import LEEFGEBIED_CATEGORIES

from .canaries import Canary
from .changes import Change, ChangeLog, fingerprint
from .model import CasusRecord, ItemRecord, Subject
from .oracle import INZAGE, NO_CASEWORK_ROLES, Oracle, View, avg_request
from .probes import PHASE_PURPOSE, Probe
from .world import World

SUCCESS = range(200, 300)


@dataclass(frozen=True)
class Finding:
    kind: str
    route: str
    subject: str
    roles: str
    id_class: str
    status: int
    what: str
    url: str
    evidence: str = ""
    detail: str = ""

    def line(self) -> str:
        return (
            f"{self.kind} | {self.route} | {self.subject} ({self.roles}) | {self.id_class} | "
            f"{self.status} | {self.what}"
        )


@dataclass
class Tally:
    probes: int = 0
    by_layer: Counter[str] = field(default_factory=Counter)
    by_class: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)  # api-lezen, web-schrijven, ...
    by_status: Counter[int] = field(default_factory=Counter)
    undone: int = 0
    seconds: float = 0.0
    route_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    findings: list[Finding] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.probes += other.probes
        self.by_layer.update(other.by_layer)
        self.by_class.update(other.by_class)
        self.by_kind.update(other.by_kind)
        self.by_status.update(other.by_status)
        self.undone += other.undone
        self.seconds += other.seconds
        for route, seconds in other.route_seconds.items():
            self.route_seconds[route] += seconds
        self.findings += other.findings


class Runner:
    def __init__(
        self,
        client: TestClient[Litestar],
        world: World,
        oracle: Oracle,
        changes: ChangeLog,
        tokens: Mapping[str, str],
        baseline: Mapping[str, str],
    ) -> None:
        self.client = client
        self.world = world
        self.oracle = oracle
        self.changes = changes
        self.tokens = tokens
        self.baseline = baseline
        self.items: dict[str, ItemRecord] = {
            i.key: i for c in world.casussen.values() for i in c.items
        }
        self.by_id = {c.id: c for c in world.casussen.values()}
        self.person_casus = {p: c.id for c in world.casussen.values() for p in c.person_ids}
        self.meeting_ids = {m.id: m for m in world.meetings.values()}
        self.names = {(s.tenant, s.user_id): s.name for s in world.subjects}

    # -- sending --------------------------------------------------------------------------

    def send(self, probe: Probe) -> Response:
        token = self.tokens[probe.subject.key]
        headers: dict[str, str] = {}
        if probe.route.api:
            headers["Authorization"] = f"Bearer {token}"
        else:
            headers["Cookie"] = f"{COOKIE}={token}"
        if probe.if_match is not None and probe.route.api:
            headers["If-Match"] = probe.if_match
        kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
        if probe.form is not None:
            kwargs["data"] = probe.form
        elif probe.raw is not None:
            headers["Content-Type"] = "application/toml"
            kwargs["content"] = probe.raw.encode()
        elif probe.json is not None:
            kwargs["json"] = probe.json
        return self.client.request(probe.route.method, probe.url, **kwargs)

    # -- judging --------------------------------------------------------------------------

    def default_purposes(self, probe: Probe, casus: CasusRecord) -> tuple[str, ...]:
        path = probe.route.path
        base: set[str] = set()
        if "werkvoorraad" in path:
            base |= {"monitoring", "verantwoording"}
        elif "overleggen" in path or not probe.route.casus_scoped:
            base |= {"casusoverleg"}
        phase = PHASE_PURPOSE.get(casus.phase, "uitvoering")
        plan_page = probe.route.web and path.startswith("/casussen/{casus_id}/plan")
        if plan_page and casus.phase != "archief":
            # The plan pages name their purpose (services/casework/plan/pages.py PURPOSE),
            # which every phase but archief allows (policies/codes.rego phase_purposes).
            return ("plan-van-aanpak",)
        base.add(phase)
        return tuple(sorted(base))

    def _finding(
        self, probe: Probe, kind: str, status: int, what: str, evidence: str = ""
    ) -> Finding:
        s = probe.subject
        roles = "+".join(sorted(s.roles))
        return Finding(
            kind,
            str(probe.route),
            s.key,
            roles,
            probe.id_class,
            status,
            what,
            probe.url,
            evidence,
            probe.detail,
        )

    def check_canaries(self, probe: Probe, status: int, text: str) -> list[Finding]:
        """One finding per casus whose canaries the caller may not see."""
        s = probe.subject
        bad: dict[str, list[Canary]] = defaultdict(list)
        purposes_of: dict[str, tuple[str, ...]] = {}
        request = avg_request(probe.route.path)
        for canary in self.world.canaries.found_in(text):
            casus = self.world.casussen[canary.casus_key]
            if self._operator_export(probe, casus):
                continue
            purposes = probe.purposes or self.default_purposes(probe, casus)
            item = self.items.get(canary.item_key) if canary.item_key else None
            if self.oracle.may_see(s, canary, casus, purposes, item, request):
                continue
            # The inzage of a person (the subject of the probe's casus) is that person's own
            # data, under its own rules (oracle.Oracle.inzage_shows).
            inzage = request == INZAGE and casus.key == probe.primary
            if not (inzage and self.oracle.inzage_shows(s, canary, casus, item)):
                bad[casus.key].append(canary)
                purposes_of[casus.key] = purposes
        found = []
        for key, canaries in sorted(bad.items()):
            casus = self.world.casussen[key]
            parts = Counter(
                f"{c.origin}{'-beperkt' if self._restricted(c) else ''}"
                f"[{'+'.join(sorted(c.categories))}]"
                for c in canaries
            )
            what = ", ".join(f"{k}x{n}" if n > 1 else k for k, n in sorted(parts.items()))
            found.append(
                self._finding(
                    probe,
                    "lezen",
                    status,
                    f"{self._view(s, casus, purposes_of[key])}: {what}",
                    _excerpt(text, canaries[0].needle),
                )
            )
        return found

    def _restricted(self, canary: Canary) -> bool:
        item = self.items.get(canary.item_key) if canary.item_key else None
        return self.oracle.restricted(canary, self.world.casussen[canary.casus_key], item)

    def _view(self, s: Subject, casus: CasusRecord, purposes: Sequence[str]) -> str:
        acc = self.oracle.access(s, casus)
        view = acc.view.value if acc.view is not View.NONE else "geen toegang"
        return f"{casus.key} ({view}, {acc.relation}; doel {','.join(purposes)})"

    def _operator_export(self, probe: Probe, casus: CasusRecord) -> bool:
        return probe.route.path.startswith("/api/v1/beheer/") and self.oracle.may_operate_tenant(
            probe.subject, casus.tenant
        )

    def check_structure(self, probe: Probe, status: int, response: Response) -> list[Finding]:
        found: list[Finding] = []
        s, route = probe.subject, probe.route
        if status not in SUCCESS or route.write:
            return found
        content_route = route.casus_scoped or "overleg_id" in route.params
        if content_route and not route.open_to_non_participants and s.roles <= NO_CASEWORK_ROLES:
            found.append(self._finding(probe, "geen-casework-rol", status, "2xx met casusinhoud"))
        casus = self.world.casussen.get(probe.primary) if probe.primary else None
        if casus is None or not route.casus_scoped:
            return found
        acc = self.oracle.access(s, casus)
        if route.api and response.headers.get("content-type", "").startswith("application/json"):
            purposes = probe.purposes or self.default_purposes(probe, casus)
            for domain in _visible_scores(response.json()):
                cats = LEEFGEBIED_CATEGORIES.get(domain, frozenset({"algemeen"}))
                canary = Canary("-", casus.key, frozenset(cats), "casus", f"score.{domain}")
                if not self.oracle.may_see(s, canary, casus, purposes):
                    found.append(
                        self._finding(
                            probe,
                            "score",
                            status,
                            f"{self._view(s, casus, purposes)}: "
                            f"score {domain}[{'+'.join(sorted(cats))}]",
                        )
                    )
        if acc.view in (View.PSEUDO, View.ANON_PLAN):
            text = response.text
            for actor in sorted(casus.actors - {s.user_id}):
                name = self.names.get((casus.tenant, actor), "")
                hit = re.search(rf"(?<![\w-]){re.escape(actor)}(?![\w-])", text)
                if hit or (name and name in text):
                    found.append(
                        self._finding(
                            probe,
                            "medewerker",
                            status,
                            f"{actor} in {acc.view.value} beeld van {casus.key}",
                            _excerpt(text, hit.group(0) if hit else name),
                        )
                    )
        return _dedupe(found)

    def check_changes(self, probe: Probe, status: int) -> tuple[list[Finding], int]:
        if not self.changes.any():
            return [], 0
        pending = [c for c in self.changes.pending() if c.real]
        if not pending:
            self.changes.undo()  # no-op updates
            return [], 0
        found: list[Finding] = []
        touched: set[str] = set()
        if status >= 400:  # bad input or a refusal must change nothing at all
            tables = sorted({c.table for c in pending})
            found.append(
                self._finding(probe, "gedeeltelijk", status, f"wijzigt {', '.join(tables)}")
            )
        for entity, allowed in self._attribute(probe, pending):
            if entity.startswith("casus:"):
                key = entity.removeprefix("casus:").split(" ")[0]
                touched.add(self.world.casussen[key].id)
            if not allowed:
                found.append(self._finding(probe, "schrijven", status, f"wijzigt {entity}"))
        undone = self.changes.undo()
        if touched:
            after = fingerprint(self.changes.admin, touched, self._persons_of(touched))
            for cid, digest in after.items():
                assert digest == self.baseline[cid], (
                    f"undo did not restore casus {cid} after {probe.describe()}"
                )
        return _dedupe(found), undone

    def _persons_of(self, casus_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(casus_ids)
        return {p: c for p, c in self.person_casus.items() if c in wanted}

    def _attribute(self, probe: Probe, changes: Sequence[Change]) -> list[tuple[str, bool]]:
        """(entity, may the subject change it) for every changed row the world knows."""
        s = probe.subject
        per_casus: dict[str, list[Change]] = defaultdict(list)
        out: list[tuple[str, bool]] = []
        for change in changes:
            table = change.table
            casus_id = change.value("id") if table == "casussen" else change.value("casus_id")
            if casus_id is None and table in (
                "persons",
                "household_members",
                "consents",
                "restrictions",  # a person's beperking (art. 18 AVG)
                "corrections",  # a correction of a person's data (art. 16 AVG)
            ):
                person = change.value("id") if table == "persons" else change.value("person_id")
                casus_id = self.person_casus.get(str(person))
            if casus_id is not None and str(casus_id) in self.by_id:
                per_casus[str(casus_id)].append(change)
            if table in ("meetings", "meeting_agenda"):
                meeting_id = (
                    change.value("id") if table == "meetings" else change.value("meeting_id")
                )
                meeting = self.meeting_ids.get(str(meeting_id))
                if meeting is not None:
                    out.append(
                        (f"overleg:{meeting.key}", self.oracle.may_change_meeting(s, meeting))
                    )
            if table in ("tenants", "organisations", "meeting_types"):
                code = change.value("code") if table == "tenants" else change.value("tenant_id")
                if code in self.world.manifests:
                    out.append((f"tenant:{code}:{table}", self.oracle.may_operate_tenant(s, code)))
            if table == "users":
                tenant, user = change.value("tenant_id"), change.value("id")
                # Judged by what changed, not by what was asked.
                fields = (
                    {"rollen"}
                    if (change.old or {}).get("roles") != (change.new or {}).get("roles")
                    else set()
                )
                allowed = self.oracle.may_change_user(s, str(tenant), str(user), fields) or (
                    self.oracle.may_operate_tenant(s, str(tenant)) and probe.raw is not None
                )
                out.append((f"gebruiker:{tenant}/{user}", allowed))
        for casus_id, rows in per_casus.items():
            casus = self.by_id[casus_id]
            allowed = self.oracle.may_change_casus(s, casus) or self._own_break_glass(
                s, casus, rows
            )
            tables = ",".join(sorted({r.table for r in rows}))
            out.append((f"casus:{casus.key} ({tables})", allowed))
        return out

    @staticmethod
    def _own_break_glass(s: Subject, casus: CasusRecord, rows: Sequence[Change]) -> bool:
        """Doorbreekglas: a casework user of the own tenant records their own urgent access."""
        if s.tenant != casus.tenant or not s.roles & {
            "professional",
            "casusregisseur",
            "uitvoeringscoordinator",
            "pga-expert",
        }:
            return False
        return all(
            (r.table == "urgent_access" and r.value("user_id") == s.user_id)
            or (r.table in ("casus_events", "outbox_events") and r.value("kind") == "doorbreekglas")
            for r in rows
        )

    # -- the loop -------------------------------------------------------------------------

    def run(self, probes: Sequence[Probe]) -> Tally:
        tally = Tally()
        start = time.perf_counter()
        for probe in probes:
            began = time.perf_counter()
            response = self.send(probe)
            status = response.status_code
            tally.probes += 1
            tally.by_layer[probe.layer] += 1
            tally.by_class[probe.id_class] += 1
            side = "api" if probe.route.api else "web"
            tally.by_kind[f"{side}-{'schrijven' if probe.route.write else 'lezen'}"] += 1
            tally.by_status[status] += 1
            findings: list[Finding] = []
            if status >= 500:
                findings.append(self._finding(probe, "5xx", status, response.text[:200]))
            elif status >= 400 and probe.route.api and not _problem_json(response):
                kind = response.headers.get("content-type", "?")
                findings.append(self._finding(probe, "geen-problem-json", status, kind))
            findings += self.check_canaries(probe, status, response.text)
            findings += self.check_structure(probe, status, response)
            changed, undone = self.check_changes(probe, status)
            findings += changed
            tally.undone += undone
            tally.findings += findings
            tally.route_seconds[str(probe.route)] += time.perf_counter() - began
        tally.seconds = time.perf_counter() - start
        return tally


def _problem_json(response: Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith("application/problem+json")


def _excerpt(text: str, needle: str, width: int = 90) -> str:
    at = text.lower().find(needle.lower())
    if at < 0:
        return ""
    return " ".join(text[max(0, at - width) : at + len(needle) + width].split())


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: dict[tuple[str, str], Finding] = {}
    for f in findings:
        seen.setdefault((f.kind, f.what), f)
    return list(seen.values())


def _visible_scores(body: Any) -> set[str]:
    """Leefgebieden with a score in an answer (``scores`` maps, and the development per domain)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            scores = value.get("scores")
            if isinstance(scores, dict):
                found.update(k for k, v in scores.items() if v is not None)
            if "domein" in value and value.get("laatste") is not None:
                found.add(str(value["domein"]))
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(body)
    return found


def totals(tally: Tally, suite: str) -> dict[str, Any]:
    """Counts for the run-wide summary (``record_property``; see tests/conftest.py)."""
    return {
        "suite": suite,
        "probes": tally.probes,
        "seconds": round(tally.seconds, 1),
        "per_id_klasse": dict(tally.by_class),
        "per_soort": dict(tally.by_kind),
        "bevindingen": dict(Counter(f.kind for f in tally.findings)),
    }


def summary(tally: Tally) -> str:
    lines = [
        f"hostile probes: {tally.probes} in {tally.seconds:.1f}s; findings: {len(tally.findings)}; "
        f"writes undone: {tally.undone}",
        "  per laag: " + ", ".join(f"{k}={v}" for k, v in sorted(tally.by_layer.items())),
        "  per id-klasse: " + ", ".join(f"{k}={v}" for k, v in sorted(tally.by_class.items())),
        "  per soort: " + ", ".join(f"{k}={v}" for k, v in sorted(tally.by_kind.items())),
        "  per status: " + ", ".join(f"{k}={v}" for k, v in sorted(tally.by_status.items())),
    ]
    slowest = sorted(tally.route_seconds.items(), key=lambda rt: -rt[1])[:5]
    slow = ", ".join(f"{r} {t:.1f}s" for r, t in slowest)
    lines.append(f"  traagste routes: {slow}")
    kinds = Counter(f.kind for f in tally.findings)
    lines.append(
        "  bevindingen per soort: " + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
    )
    return "\n".join(lines)


def leak_table(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Findings grouped by kind, route, roles and id class: what leaked, how often."""
    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for f in findings:
        key = (f.kind, f.route, f.roles, f.id_class)
        group = groups.setdefault(
            key,
            {
                "soort": f.kind,
                "route": f.route,
                "rollen": f.roles,
                "id_klasse": f.id_class,
                "aantal": 0,
                "statussen": set(),
                "wat": set(),
                "voorbeeld": f"{f.subject} {f.url}",
            },
        )
        group["aantal"] += 1
        group["statussen"].add(f.status)
        detail = f.what.split(": ", 1)[-1]
        group["wat"].update(
            part.rsplit("]x", 1)[0] + "]" if "]x" in part else part for part in detail.split(", ")
        )
    rows = []
    for group in groups.values():
        rows.append({**group, "statussen": sorted(group["statussen"]), "wat": sorted(group["wat"])})
    return sorted(rows, key=lambda r: (r["soort"], r["route"], r["rollen"], r["id_klasse"]))


def table_text(rows: Sequence[dict[str, Any]], limit: int = 80) -> str:
    lines = [
        f"{r['soort']} | {r['route']} | {r['rollen']} | {r['id_klasse']} | x{r['aantal']} "
        f"{r['statussen']} | {'; '.join(r['wat'])[:300]}"
        for r in rows[:limit]
    ]
    if len(rows) > limit:
        lines.append(f"... and {len(rows) - limit} more groups")
    return "\n".join(lines)


def dump(findings: Sequence[Finding]) -> str:
    return json.dumps(
        {"groepen": leak_table(findings), "bevindingen": [f.__dict__ for f in findings]},
        indent=1,
        ensure_ascii=False,
    )
