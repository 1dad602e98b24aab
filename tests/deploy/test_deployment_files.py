"""The deployment files, checked without a container engine or a cluster:

* infra/compose.yaml against the Compose specification's JSON schema (the one
  check-jsonschema vendors), plus what the schema cannot know: every process, the
  official OPA image fed by the bundle, secrets only where they belong, CLI commands that
  exist; ``docker compose config`` as well where a compose plugin is installed;
* infra/k8s/*.yaml against the Kubernetes 1.30 schemas (kubernetes-validate, strict), plus
  the OPA sidecar, probes, network policies and the one migration job; ``kubectl
  kustomize`` renders them where kubectl is installed;
* the Dockerfile: multi-stage, non-root, a health check, and its build stage runs exactly
  the Makefile's install steps.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from dockerfile_parse import DockerfileParser

from services.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "infra" / "compose.yaml"
K8S = ROOT / "infra" / "k8s"
OPA_IMAGE = re.compile(r"^openpolicyagent/opa:\d+\.\d+\.\d+$")
APP_SERVICES = {
    "migrate",
    "tenants",
    "policy-bundle",
    "casework",
    "analytics",
    "worker",
    "scheduler",
}
ROLE_SECRET = {
    "casework": "db_app_password",
    "worker": "db_app_password",
    "scheduler": "db_app_password",
    "tenants": "db_app_password",
    "analytics": "db_analytics_password",
}


def _cli_accepts(argv: list[str]) -> None:
    assert argv[0] == "regietafel", argv
    build_parser().parse_args(argv[1:])  # SystemExit on an unknown command or option


# -- compose ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(
        files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    )
    jsonschema.validate(compose, schema)
    # The schema is strict enough to notice a mistake (not a vacuous check).
    broken = {**compose, "services": {"casework": {"image": "x", "comand": ["regietafel"]}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_compose_runs_every_process_with_its_own_secrets(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == APP_SERVICES | {"postgres", "rabbitmq", "opa"}
    assert OPA_IMAGE.match(services["opa"]["image"])
    opa_command = services["opa"]["command"]
    assert "--bundle" in opa_command and "/bundles/regietafel.tar.gz" in opa_command
    assert "/bundles/regietafel.tar.gz" in services["policy-bundle"]["command"]
    for name in APP_SERVICES:
        service = services[name]
        _cli_accepts(service["command"])
        env = service["environment"]
        assert env["REGIETAFEL_MODE"] == "production", name
        secrets = set(service["secrets"])
        holds_admin = "REGIETAFEL_DATABASE_ADMIN_URL_FILE" in env or "database_admin_url" in secrets
        assert holds_admin == (name == "migrate"), (
            f"{name}: the admin URL is the migration job's only"
        )
        assert "postgres_password" not in secrets, name
        if name in ROLE_SECRET:
            role_secrets = {s for s in secrets if s.startswith("db_")}
            assert role_secrets == {ROLE_SECRET[name]}, (name, role_secrets)
        assert not any("PASSWORD" in key and not key.endswith("_FILE") for key in env), (
            f"{name}: passwords come from secret files"
        )
    for name in ("casework", "analytics"):
        _cli_accepts(services[name]["healthcheck"]["test"][1:])
    assert services["migrate"]["restart"] == "no"
    assert (
        services["casework"]["depends_on"]["tenants"]["condition"]
        == "service_completed_successfully"
    )


def test_docker_compose_config_accepts_the_file_where_compose_is_installed(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if (
        docker is None
        or subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
    ):
        pytest.skip("no docker compose plugin on this machine: the schema check above stands in")
    env = {
        "REGIETAFEL_OIDC_ISSUER": "https://idp",
        "REGIETAFEL_PUBLIC_BASE_URL": "https://x",
        "RABBITMQ_PASSWORD": "x",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# -- kubernetes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def k8s_docs() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def test_kubernetes_manifests_follow_the_schemas(k8s_docs: list[dict[str, Any]]) -> None:
    assert k8s_docs
    for doc in k8s_docs:
        kubernetes_validate.validate(doc, "1.30.0", strict=True)
    deployment = next(d for d in k8s_docs if d["kind"] == "Deployment")
    typo = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(typo, "1.30.0", strict=True)


def _pod(doc: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = doc["spec"]["template"]["spec"]
    return spec


def test_kubernetes_layout_sidecar_probes_policies_and_one_migration_job(
    k8s_docs: list[dict[str, Any]],
) -> None:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in k8s_docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    deployments = {d["metadata"]["name"]: d for d in by_kind["Deployment"]}
    assert set(deployments) == {"casework", "analytics", "worker", "scheduler"}
    [job] = by_kind["Job"]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == [
        "regietafel",
        "db",
        "upgrade",
    ]
    casework = _pod(deployments["casework"])
    containers = {c["name"]: c for c in casework["containers"]}
    assert OPA_IMAGE.match(containers["opa"]["image"])  # OPA as a sidecar
    assert "--addr=127.0.0.1:8181" in containers["opa"]["args"]  # reachable from the pod only
    assert casework["initContainers"][0]["args"][1:3] == ["policy", "bundle"]
    for name, deployment in deployments.items():
        pod = _pod(deployment)
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"] + pod.get("initContainers", []):
            if container["image"].startswith("registry.example.nl/regietafel"):
                _cli_accepts(container["args"])
        app = pod["containers"][0]
        assert "livenessProbe" in app, name
        if name in ("casework", "analytics"):
            assert app["readinessProbe"]["httpGet"]["path"] == "/health/ready"
            assert app["livenessProbe"]["httpGet"]["path"] == "/health/live"
        volumes = {v["name"]: v for v in pod["volumes"]}
        secrets = {v["secret"]["secretName"] for v in volumes.values() if "secret" in v}
        assert "regietafel-db-admin" not in secrets, name
        assert secrets - {"regietafel-common"} == {
            "regietafel-db-analytics" if name == "analytics" else "regietafel-db-app"
        }, name
    policies = {p["metadata"]["name"]: p for p in by_kind["NetworkPolicy"]}
    assert policies["default-deny"]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    for name in ("casework", "analytics", "worker", "scheduler", "migrate"):
        assert name in policies


def test_kustomize_renders_the_manifests_where_kubectl_is_installed() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the schema checks above stand in")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all(result.stdout) if d]
    assert kinds.count("Deployment") == 4 and kinds.count("Job") == 1


# -- Dockerfile ------------------------------------------------------------------------------


def _makefile_install_steps(variables: dict[str, str]) -> list[str]:
    """The recipe lines of the targets that create the venv and install the project."""
    text = (ROOT / "Makefile").read_text()
    steps: list[str] = []
    for target in ("$(BIN)/python:", "$(STAMP):"):
        block = text.split("\n" + target, 1)[1].split("\n\n", 1)[0]
        for line in block.splitlines()[1:]:
            if not line.startswith("\t") or line.startswith("\t@"):
                continue  # echo/check/touch lines, not build steps
            steps.append(line.strip())

    def expand(step: str) -> str:
        for _ in range(3):
            step = re.sub(r"\$\((\w+)\)", lambda m: variables[m.group(1)], step)
        return step

    return [expand(s) for s in steps]


def test_the_dockerfile_builds_with_the_makefile_install_steps() -> None:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    stages: list[list[dict[str, Any]]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    assert len(stages) >= 2, "multi-stage"
    build, runtime = stages[0], stages[-1]
    runs = [i["value"] for i in build if i["instruction"] == "RUN"]
    expected = _makefile_install_steps(
        {"PYTHON": "python3.11", "VENV": ".venv", "BIN": ".venv/bin", "EXTRAS": ""}
    )
    assert runs == expected
    user = [i["value"] for i in runtime if i["instruction"] == "USER"]
    assert user and user[-1].split(":")[0] not in ("0", "root")
    health = [i["value"] for i in runtime if i["instruction"] == "HEALTHCHECK"]
    assert health and "regietafel" in health[0] and "probe" in health[0]
    _cli_accepts(["regietafel", "probe"])
    copied = " ".join(i["value"] for i in build if i["instruction"] == "COPY")
    for package in ("services", "tenants", "analytics", "policies", "pyproject.toml"):
        assert package in copied, package
    cmd = json.loads([i["value"] for i in runtime if i["instruction"] == "CMD"][-1])
    _cli_accepts(cmd)


def test_the_dockerfile_installs_the_design_tokens_with_the_makefile_assets_step() -> None:
    """The image serves the same NL Design System tokens as `make run`: a stage runs the
    Makefile's `npm ci` line from the committed lock file and the runtime stage copies them."""
    text = (ROOT / "Makefile").read_text()
    theme = re.search(r"^THEME := (.+)$", text, re.MULTILINE)
    assert theme is not None
    npm = re.search(r"(npm ci --prefix \$\(THEME\)[^&]*?)\s*&&", text)
    assert npm is not None, "the Makefile's assets step"
    expected = npm.group(1).replace("$(THEME)", theme.group(1).strip())
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    runs = [i["value"] for i in parser.structure if i["instruction"] == "RUN"]
    assert expected in runs
    copies = [i["value"] for i in parser.structure if i["instruction"] == "COPY"]
    assert any("--from=theme" in c and "node_modules" in c for c in copies)
    assert (ROOT / theme.group(1).strip() / "package-lock.json").is_file()
