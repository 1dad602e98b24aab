"""An OPA bundle (https://www.openpolicyagent.org/docs/management-bundles) of our policies
and the policy data, for an OPA server that loads bundles instead of being fed by the
casework service (``REGIETAFEL_OPA_BUNDLE=true``).

Layout: ``.manifest`` (revision ``<policy>:<data>``, root ``regietafel``), every Rego file
under ``regietafel/authz/`` and the data document as ``regietafel/data.json`` (so it is
``data.regietafel``, where the casework service would have put it). The archive is
deterministic: the same policies and data give the same bytes.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

from services.platform.policy.source import PolicySource, canonical_json

ROOT = "regietafel"


def bundle_bytes(source: PolicySource) -> bytes:
    manifest = {
        "revision": f"{source.policy_revision}:{source.data_revision}",
        "roots": [ROOT],
    }
    files: list[tuple[str, bytes]] = [(".manifest", json.dumps(manifest, indent=2).encode())]
    files += [(f"{ROOT}/authz/{m.name}", m.text.encode()) for m in source.modules]
    files.append((f"{ROOT}/data.json", canonical_json(dict(source.data)).encode()))
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in files:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


def write_bundle(source: PolicySource, output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(bundle_bytes(source))
    return output
