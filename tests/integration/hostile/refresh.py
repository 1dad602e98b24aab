"""Reading the world's relational facts back from the database as the superuser, so the
oracle judges what is stored, not what the builder meant to store."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.casework.domain import lifecycle

from .world import World


def refresh_from_database(world: World, admin: sa.engine.Engine) -> None:
    """Read the relational facts back as the superuser: the oracle judges what is stored."""
    ids = [c.id for c in world.casussen.values()]
    by_id = {c.id: c for c in world.casussen.values()}
    with admin.connect() as conn:

        def q(sql: str) -> list[Any]:
            return list(conn.execute(sa.text(sql), {"ids": ids}).all())

        for cid, kind, state, version, person in q(
            "SELECT id::text, kind, state, version, subject_person_id::text FROM casussen "
            "WHERE id::text = ANY(:ids)"
        ):
            c = by_id[cid]
            c.kind, c.state, c.version, c.subject_person = kind, state, version, person
            c.phase = lifecycle.phase_of(kind, state)
        for c in by_id.values():
            c.participants, c.regisseurs, c.shared_with = set(), set(), set()
            c.coordinator, c.urgent_users, c.actors = None, set(), set()
            c.subject_restricted = False
            c.member_persons, c.household_persons, c.consents, c.plan_versions = [], [], [], []
        for cid, org in q(
            "SELECT casus_id::text, organisation_id FROM casus_participants "
            "WHERE active AND casus_id::text = ANY(:ids)"
        ):
            by_id[cid].participants.add(org)
        for cid, role, user in q(
            "SELECT casus_id::text, role, user_id FROM casus_roles "
            "WHERE ended_at IS NULL AND casus_id::text = ANY(:ids)"
        ):
            if role == "uitvoeringscoordinator":
                by_id[cid].coordinator = user
            else:
                by_id[cid].regisseurs.add(user)
        for cid, tenant in q(
            "SELECT casus_id::text, shared_with_tenant FROM casus_shares "
            "WHERE casus_id::text = ANY(:ids)"
        ):
            by_id[cid].shared_with.add(tenant)
        for cid, user in q(
            "SELECT casus_id::text, user_id FROM urgent_access "
            "WHERE expires_at > now() AND casus_id::text = ANY(:ids)"
        ):
            by_id[cid].urgent_users.add(user)
        items = {i.id: i for c in by_id.values() for i in c.items}
        for iid, shared, withheld, art9, ground, version, category, source in q(
            "SELECT id::text, shared, withheld, art9_exception, beroepsgeheim_ground, version, "
            "category, source_organisation_id FROM information_items "
            "WHERE casus_id::text = ANY(:ids)"
        ):
            if iid in items:
                item = items[iid]
                item.shared, item.withheld, item.version = shared, withheld, version
                item.art9_exception, item.beroepsgeheim_ground = art9, ground
                item.category, item.source_organisation = category, source
        # Beperking (art. 18 AVG): the active restrictions, in the owning tenant.
        for (cid,) in q(
            "SELECT c.id::text FROM restrictions r "
            "JOIN casussen c ON c.tenant_id = r.tenant_id "
            "AND c.subject_person_id::text = r.target_id "
            "WHERE r.target_type = 'persoon' AND r.lifted_at IS NULL "
            "AND c.id::text = ANY(:ids)"
        ):
            by_id[cid].subject_restricted = True
        for item in items.values():
            item.restricted = False
        for (item_id,) in q(
            "SELECT r.target_id FROM restrictions r "
            "JOIN information_items i ON i.tenant_id = r.tenant_id AND i.id::text = r.target_id "
            "WHERE r.target_type = 'item' AND r.lifted_at IS NULL "
            "AND i.casus_id::text = ANY(:ids)"
        ):
            if item_id in items:
                items[item_id].restricted = True
        for cid, version in q(
            "SELECT casus_id::text, version FROM plan_versions WHERE casus_id::text = ANY(:ids) "
            "ORDER BY version"
        ):
            by_id[cid].plan_versions.append(version)
        for cid, person in q(
            "SELECT casus_id::text, person_id::text FROM group_members "
            "WHERE ended_at IS NULL AND casus_id::text = ANY(:ids)"
        ):
            by_id[cid].member_persons.append(person)
        for cid, member in q(
            "SELECT c.id::text, h.member_person_id::text FROM household_members h "
            "JOIN casussen c ON c.tenant_id = h.tenant_id AND c.subject_person_id = h.person_id "
            "WHERE c.id::text = ANY(:ids) "
            # Current members first (probes use the first), then in a fixed order.
            "ORDER BY h.ended_on IS NOT NULL, h.id"
        ):
            by_id[cid].household_persons.append(member)
        for cid, consent in q(
            "SELECT c.id::text, k.id::text FROM consents k "
            "JOIN casussen c ON c.tenant_id = k.tenant_id AND c.subject_person_id = k.person_id "
            "WHERE c.id::text = ANY(:ids)"
        ):
            by_id[cid].consents.append(consent)
        for cid, actor in q(
            " UNION ".join(
                f"SELECT casus_id::text, {column} FROM {table} WHERE casus_id::text = ANY(:ids)"
                for table, column in (
                    ("casus_events", "actor_user_id"),
                    ("information_items", "created_by"),
                    ("plan_versions", "created_by"),
                    ("casus_roles", "user_id"),
                    ("assessments", "assessor_user_id"),
                )
            )
        ):
            by_id[cid].actors.add(actor)
        meeting_ids = [m.id for m in world.meetings.values()]
        versions: dict[str, int] = dict(
            conn.execute(
                sa.text("SELECT id::text, version FROM meetings WHERE id::text = ANY(:ids)"),
                {"ids": meeting_ids},
            ).all()
        )
        for meeting in world.meetings.values():
            meeting.version = versions[meeting.id]
