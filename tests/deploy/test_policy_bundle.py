"""``regietafel policy bundle``: an OPA bundle of policies/ and the policy data of the
manifests, deterministic, and — loaded back — deciding exactly as the source does."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from people import TEST_MANIFESTS_DIR, ZEIST, ZEIST_PGA_EXPERT, ZOETERMEER

from services.cli import main
from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.input import build_input
from services.platform.policy.source import EMBEDDED_EXCLUDE, PolicySource, RegoModule
from tenants.manifest import load_all
from tenants.policy_data import build_policy_data


def read_bundle(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


ROOT = Path(__file__).resolve().parents[2]


def test_the_bundle_holds_the_policies_and_the_data_and_decides_the_same(tmp_path: Path) -> None:
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    for output in (first, second):
        code = main(
            ["policy", "bundle", "--output", str(output), "--manifests", str(TEST_MANIFESTS_DIR)]
        )
        assert code == 0
    assert first.read_bytes() == second.read_bytes()  # deterministic
    content = read_bundle(first)
    manifest = json.loads(content[".manifest"])
    assert manifest["roots"] == ["regietafel"]
    data = json.loads(content["regietafel/data.json"])
    expected = build_policy_data(load_all(TEST_MANIFESTS_DIR), set())
    assert data == expected
    assert manifest["revision"].endswith(":" + expected["revision"])
    rego = {n.rsplit("/", 1)[1] for n in content if n.endswith(".rego")}
    assert rego == {p.name for p in (ROOT / "policies").glob("*.rego")}

    # Loaded back, the bundle decides like the source it was built from.
    modules = tuple(
        RegoModule(name.rsplit("/", 1)[1], raw.decode())
        for name, raw in sorted(content.items())
        if name.endswith(".rego")
    )
    from_bundle = EmbeddedRegoEngine(PolicySource(modules=modules, data=data))
    from_source = EmbeddedRegoEngine(PolicySource.load(expected))
    subject = {
        "user_id": ZEIST_PGA_EXPERT,
        "tenant": ZEIST,
        "organisation": "gemeente-zeist-oov",
        "roles": ["pga-expert"],
        "kind": "user",
    }
    for tenant in (ZEIST, ZOETERMEER):
        policy_input = build_input(
            subject,
            "read",
            {"purpose": "triage", "now": "2026-11-27T10:00:00Z"},
            {
                "type": "casus",
                "tenant": tenant,
                "casus_id": "c1",
                "casus_kind": "persoon",
                "phase": "triage",
                "contains_person_identifiers": True,
            },
        )
        assert from_bundle.decide(policy_input) == from_source.decide(policy_input)
    assert rego >= EMBEDDED_EXCLUDE  # the OPA server gets the batch rule too
