"""The Helm chart (helm/nastavnik): lint, render every CI value set, validate the manifests offline
against Kubernetes' own schemas, and check what an installation relies on in the rendered objects.

helm comes from helm/install-helm.sh (CI runs it); kubernetes-validate is a dev dependency.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from nastavnik.settings import Settings
from tests.support.tools import require_tool

CHART = Path(__file__).resolve().parents[2] / "helm" / "nastavnik"
VALUE_SETS = {
    path.name.removesuffix("-values.yaml"): path for path in sorted((CHART / "ci").glob("*-values.yaml"))
}
RELEASE = "nastavnik"
NAMESPACE = "region"
# The oldest Kubernetes the chart supports (Chart.yaml's kubeVersion) and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", "latest")
# Custom resources have no schema in Kubernetes' own set: kubernetes-validate only warns about them,
# so they are left out of its input (their shape is checked below) and any other warning fails.
CUSTOM_RESOURCE_GROUPS = ("monitoring.coreos.com/",)
UID = 10001

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def helm() -> str:
    return require_tool("helm", os.path.expanduser("~/.local/bin/helm"))


def run_helm(helm: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([helm, *args], capture_output=True, text=True, check=False, timeout=120)


def template(helm: str, *args: str) -> list[Manifest]:
    done = run_helm(helm, "template", RELEASE, str(CHART), "--namespace", NAMESPACE, *args)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.fixture(scope="module")
def rendered(helm: str) -> dict[str, list[Manifest]]:
    return {name: template(helm, "--values", str(path)) for name, path in VALUE_SETS.items()}


def objects(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def one(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    found = [m for m in objects(manifests, kind) if m["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind} {name}: {len(found)} rendered"
    return found[0]


def pod_spec(manifest: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = (
        manifest["spec"] if manifest["kind"] == "Pod" else manifest["spec"]["template"]["spec"]
    )
    return spec


def pod_labels(manifest: Manifest) -> dict[str, str]:
    metadata = manifest["metadata"] if manifest["kind"] == "Pod" else manifest["spec"]["template"]["metadata"]
    labels: dict[str, str] = metadata["labels"]
    return labels


def env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def pods(manifests: list[Manifest]) -> Iterator[Manifest]:
    return (m for m in manifests if m["kind"] in ("Deployment", "Job", "Pod"))


def test_value_sets_exist() -> None:
    assert {"minimal", "production", "bare"} <= set(VALUE_SETS)


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
def test_lint_strict(helm: str, value_set: str) -> None:
    done = run_helm(helm, "lint", "--strict", str(CHART), "--values", str(VALUE_SETS[value_set]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 chart(s) failed" in done.stdout


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
@pytest.mark.parametrize("kubernetes", KUBERNETES_VERSIONS)
def test_manifests_validate_strictly(
    rendered: dict[str, list[Manifest]], value_set: str, kubernetes: str, tmp_path: Path
) -> None:
    validator = Path(sys.executable).with_name("kubernetes-validate")
    assert validator.exists(), "kubernetes-validate is a dev dependency: uv sync installs it"
    manifests = [m for m in rendered[value_set] if not m["apiVersion"].startswith(CUSTOM_RESOURCE_GROUPS)]
    target = tmp_path / f"{value_set}.yaml"
    target.write_text(yaml.safe_dump_all(manifests), encoding="utf-8")
    done = subprocess.run(
        [
            str(validator),
            "--strict",
            *(["--kubernetes-version", kubernetes] if kubernetes != "latest" else []),
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    # It only warns about a kind it has no schema for (an apiVersion typo): that must fail too.
    assert "WARN" not in report, report
    assert report.count("passed for resource") == len(manifests), report


def test_migration_job_is_a_hook_against_postgresql(rendered: dict[str, list[Manifest]]) -> None:
    values = yaml.safe_load(VALUE_SETS["production"].read_text(encoding="utf-8"))
    job = one(rendered["production"], "Job", f"{RELEASE}-migrations")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    [container] = pod_spec(job)["containers"]
    assert container["args"] == ["db", "upgrade"]
    variables = env(container)
    url = variables["NASTAVNIK_DATABASE_URL"]
    database = values["externalDatabase"]
    assert f"@{database['host']}:{database['port']}/" in url
    assert values["pgbouncer"]["host"] not in url
    assert "NASTAVNIK_DB_TRANSACTION_POOLING" not in variables
    # The owner's password reaches the URL through a variable Kubernetes expands (defined before it).
    assert url.startswith(f"postgresql+asyncpg://{database['user']}:$(DB_OWNER_PASSWORD)@")
    names = [e["name"] for e in container["env"]]
    assert names.index("DB_OWNER_PASSWORD") < names.index("NASTAVNIK_DATABASE_URL")
    assert variables["DB_OWNER_PASSWORD"]["secretKeyRef"] == {
        "name": database["existingSecret"],
        "key": "db-owner-password",
    }
    # The roles' passwords: migrations set them.
    assert variables["NASTAVNIK_DB_APP_PASSWORD"]["secretKeyRef"]["name"] == database["existingSecret"]


def test_web_and_worker_go_through_pgbouncer_and_read_the_replica(
    rendered: dict[str, list[Manifest]],
) -> None:
    values = yaml.safe_load(VALUE_SETS["production"].read_text(encoding="utf-8"))
    for name in ("web", "worker"):
        deployment = one(rendered["production"], "Deployment", f"{RELEASE}-{name}")
        variables = env(pod_spec(deployment)["containers"][0])
        assert (
            f"@{values['pgbouncer']['host']}:{values['pgbouncer']['port']}/"
            in variables["NASTAVNIK_DATABASE_URL"]
        )
        assert ":$(" not in variables["NASTAVNIK_DATABASE_URL"], (
            "web and worker never get the owner's password"
        )
        assert "DB_OWNER_PASSWORD" not in variables
        assert variables["NASTAVNIK_DB_TRANSACTION_POOLING"] == "true"
        assert f"@{values['replica']['host']}:5432/" in variables["NASTAVNIK_DATABASE_REPLICA_URL"]
        assert variables["NASTAVNIK_REDIS_URL"].startswith("rediss://:$(REDIS_PASSWORD)@")
    minimal = env(pod_spec(one(rendered["minimal"], "Deployment", f"{RELEASE}-web"))["containers"][0])
    assert minimal["NASTAVNIK_DB_TRANSACTION_POOLING"] == "false"
    assert "NASTAVNIK_DATABASE_REPLICA_URL" not in minimal
    assert minimal["NASTAVNIK_REDIS_URL"] == "redis://redis.example.internal:6379/0"


@pytest.mark.parametrize("value_set", ["minimal", "production"])
def test_web_probes_use_the_health_routes_on_the_web_port(
    rendered: dict[str, list[Manifest]], value_set: str
) -> None:
    web = one(rendered[value_set], "Deployment", f"{RELEASE}-web")
    [container] = pod_spec(web)["containers"]
    assert container["args"] == ["serve"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 8000}
    assert env(container)["NASTAVNIK_PORT"] == "8000"
    # Every interface of the pod: the Service and the kubelet's probes come from outside it.
    assert env(container)["NASTAVNIK_HOST"] == "0.0.0.0"  # noqa: S104
    assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    service = one(rendered[value_set], "Service", RELEASE)
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert service["spec"]["selector"].items() <= web["spec"]["template"]["metadata"]["labels"].items()


def test_a_disabled_probe_is_not_rendered(rendered: dict[str, list[Manifest]]) -> None:
    [container] = pod_spec(one(rendered["bare"], "Deployment", f"{RELEASE}-web"))["containers"]
    assert "livenessProbe" not in container
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
def test_every_pod_runs_unprivileged_on_a_read_only_root(
    rendered: dict[str, list[Manifest]], value_set: str
) -> None:
    checked = 0
    for manifest in pods(rendered[value_set]):
        spec = pod_spec(manifest)
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True
        assert pod["runAsUser"] == UID
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        tmp = [v for v in spec["volumes"] if v["name"] == "tmp"]
        assert tmp, "the read-only root needs a writable /tmp"
        assert "emptyDir" in tmp[0]
        for container in spec["containers"] + spec.get("initContainers", []):
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, container["name"]
            assert context["runAsUser"] == UID
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]  # noqa: S108
            checked += 1
    assert checked >= 2


def test_autoscaler_only_with_autoscaling(rendered: dict[str, list[Manifest]]) -> None:
    [hpa] = objects(rendered["production"], "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": f"{RELEASE}-web",
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 20)
    targets = {
        m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["spec"]["metrics"]
    }
    assert targets == {"cpu": 65, "memory": 80}
    # The autoscaler owns the replica count: the Deployment must not reset it on every upgrade.
    assert "replicas" not in one(rendered["production"], "Deployment", f"{RELEASE}-web")["spec"]
    assert objects(rendered["minimal"], "HorizontalPodAutoscaler") == []
    assert one(rendered["minimal"], "Deployment", f"{RELEASE}-web")["spec"]["replicas"] == 2


def test_disruption_budgets_cover_web_and_worker(rendered: dict[str, list[Manifest]]) -> None:
    for value_set in ("minimal", "production"):
        budgets = {b["metadata"]["name"]: b for b in objects(rendered[value_set], "PodDisruptionBudget")}
        assert set(budgets) == {f"{RELEASE}-web", f"{RELEASE}-worker"}
        for name, budget in budgets.items():
            labels = one(rendered[value_set], "Deployment", name)["spec"]["template"]["metadata"]["labels"]
            assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    production = {
        b["metadata"]["name"]: b["spec"] for b in objects(rendered["production"], "PodDisruptionBudget")
    }
    assert production[f"{RELEASE}-web"]["minAvailable"] == 2
    assert "maxUnavailable" not in production[f"{RELEASE}-web"]
    assert objects(rendered["bare"], "PodDisruptionBudget") == []


def test_network_policies(rendered: dict[str, list[Manifest]]) -> None:
    manifests = rendered["production"]
    policies = {p["metadata"]["name"]: p["spec"] for p in objects(manifests, "NetworkPolicy")}
    assert set(policies) == {f"{RELEASE}-web", f"{RELEASE}-worker", f"{RELEASE}-egress"}
    web_labels = one(manifests, "Deployment", f"{RELEASE}-web")["spec"]["template"]["metadata"]["labels"]
    web = policies[f"{RELEASE}-web"]
    assert web["podSelector"]["matchLabels"].items() <= web_labels.items()
    assert web["policyTypes"] == ["Ingress"]
    controller = web["ingress"][0]["from"][0]
    assert controller["namespaceSelector"] == {
        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
    }
    # The egress policy covers every pod of the release, the hook Job and the test pod included.
    egress = policies[f"{RELEASE}-egress"]
    for manifest in pods(manifests):
        labels = pod_labels(manifest)
        assert egress["podSelector"]["matchLabels"].items() <= labels.items(), manifest["metadata"]["name"]
    ports = {(p["port"], p.get("protocol", "TCP")) for rule in egress["egress"] for p in rule["ports"]}
    # DNS, PostgreSQL, PgBouncer, Redis, Keycloak (its URL's port), SMTPS, the web port (helm test).
    assert ports == {
        (53, "UDP"),
        (53, "TCP"),
        (5432, "TCP"),
        (6432, "TCP"),
        (6379, "TCP"),
        (8443, "TCP"),
        (465, "TCP"),
        (8000, "TCP"),
    }
    minimal = {p["metadata"]["name"]: p["spec"] for p in objects(rendered["minimal"], "NetworkPolicy")}
    minimal_ports = {p["port"] for rule in minimal[f"{RELEASE}-egress"]["egress"] for p in rule["ports"]}
    assert 443 in minimal_ports  # https://sso.edu.example.ru: the scheme's port
    assert minimal[f"{RELEASE}-worker"]["ingress"] == []  # workers serve nothing without metrics
    assert objects(rendered["bare"], "NetworkPolicy") == []


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
def test_worker_outlives_its_shutdown_grace(rendered: dict[str, list[Manifest]], value_set: str) -> None:
    worker = one(rendered[value_set], "Deployment", f"{RELEASE}-worker")
    spec = pod_spec(worker)
    grace = int(env(spec["containers"][0])["NASTAVNIK_WORKER_SHUTDOWN_GRACE"])
    # The worker exits within its grace plus 5 s (cancelled jobs handed back, connections closed).
    assert spec["terminationGracePeriodSeconds"] > grace + 5
    assert spec["containers"][0]["args"][0] == "worker"


def test_a_grace_period_below_the_workers_own_is_refused(helm: str) -> None:
    done = run_helm(
        helm, "template", RELEASE, str(CHART), "--values", str(VALUE_SETS["minimal"]),
        "--set", "worker.shutdownGrace=25", "--set", "worker.terminationGracePeriodSeconds=30",
    )  # fmt: skip
    assert done.returncode != 0
    assert "worker.terminationGracePeriodSeconds must be above worker.shutdownGrace + 5" in done.stderr


@pytest.mark.parametrize("value_set", ["minimal", "production"])
def test_helm_test_pod_checks_readiness_through_the_service(
    rendered: dict[str, list[Manifest]], value_set: str
) -> None:
    pod = one(rendered[value_set], "Pod", f"{RELEASE}-test-ready")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["restartPolicy"] == "Never"
    service = one(rendered[value_set], "Service", RELEASE)
    url = f"http://{RELEASE}:{service['spec']['ports'][0]['port']}/health/ready"
    assert pod["spec"]["containers"][0]["args"][-1] == url


class ReadyHandler(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = b'{"status": "ok"}' if self.path == "/health/ready" and self.status == 200 else b"{}"
        self.send_response(self.status if self.path == "/health/ready" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.parametrize(("status", "passes"), [(200, True), (503, False)])
def test_helm_test_script_passes_only_on_ready(
    rendered: dict[str, list[Manifest]], status: int, passes: bool
) -> None:
    """The test pod's own script, run as the pod runs it, against a web port answering 200 or 503."""
    [container] = one(rendered["minimal"], "Pod", f"{RELEASE}-test-ready")["spec"]["containers"]
    assert container["command"][0] == "python3"
    handler = type("Handler", (ReadyHandler,), {"status": status})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/health/ready"
        script = container["args"][0]
        done = subprocess.run(
            [sys.executable, *container["command"][1:], script, url],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert (done.returncode == 0) is passes, done.stdout + done.stderr


def test_bare_set_leaves_optional_objects_out(rendered: dict[str, list[Manifest]]) -> None:
    kinds = {m["kind"] for m in rendered["bare"]}
    assert not kinds & {"Job", "Pod", "ServiceAccount", "Secret", "Ingress"}
    web = pod_spec(one(rendered["bare"], "Deployment", f"{RELEASE}-web"))
    assert web["serviceAccountName"] == "nastavnik"
    worker = pod_spec(one(rendered["bare"], "Deployment", f"{RELEASE}-worker"))
    assert worker["containers"][0]["args"] == ["worker", "--no-cron"]


def test_metrics_annotations_and_service_monitor(rendered: dict[str, list[Manifest]]) -> None:
    worker = one(rendered["production"], "Deployment", f"{RELEASE}-worker")
    annotations = worker["spec"]["template"]["metadata"]["annotations"]
    assert (annotations["prometheus.io/scrape"], annotations["prometheus.io/port"]) == ("true", "9100")
    assert env(pod_spec(worker)["containers"][0])["NASTAVNIK_WORKER_METRICS_PORT"] == "9100"
    web = one(rendered["production"], "Deployment", f"{RELEASE}-web")
    assert web["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == "8000"
    assert objects(rendered["production"], "ServiceMonitor") == []  # off by default
    minimal_web = one(rendered["minimal"], "Deployment", f"{RELEASE}-web")
    assert "prometheus.io/scrape" not in minimal_web["spec"]["template"]["metadata"]["annotations"]
    [monitor] = objects(rendered["bare"], "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert {e["port"] for e in monitor["spec"]["endpoints"]} == {"http", "metrics"}
    assert all(
        e["authorization"]["credentials"]["key"] == "metrics-token" for e in monitor["spec"]["endpoints"]
    )


def test_chart_made_secret_exists_before_the_migrations(rendered: dict[str, list[Manifest]]) -> None:
    [secret] = objects(rendered["minimal"], "Secret")
    annotations = secret["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(annotations["helm.sh/hook-weight"]) < 0  # before the Job (weight 0)
    assert {"secret-key", "db-owner-password", "db-app-password", "db-auditor-password",
            "db-aggregator-password", "db-provisioner-password"} <= set(secret["data"])  # fmt: skip
    assert objects(rendered["production"], "Secret") == []  # existingSecret: the chart makes none


@pytest.mark.parametrize(
    ("settings", "refusal"),
    [
        (
            ["web.autoscaling.enabled=true", "web.autoscaling.targetCPU="],
            "web.autoscaling needs targetCPU or targetMemory",
        ),
        (
            [
                "web.autoscaling.enabled=true",
                "web.autoscaling.minReplicas=5",
                "web.autoscaling.maxReplicas=3",
            ],
            "minReplicas is above maxReplicas",
        ),
    ],
)
def test_an_impossible_autoscaler_is_refused(helm: str, settings: list[str], refusal: str) -> None:
    sets = [arg for setting in settings for arg in ("--set", setting)]
    done = run_helm(helm, "template", RELEASE, str(CHART), "--values", str(VALUE_SETS["minimal"]), *sets)
    assert done.returncode != 0
    assert refusal in done.stderr


def test_passwords_are_required_without_an_existing_secret(helm: str) -> None:
    done = run_helm(helm, "template", RELEASE, str(CHART), "--set", "externalDatabase.host=db")
    assert done.returncode != 0
    assert "externalDatabase.password is required" in done.stderr


@pytest.mark.parametrize(
    ("setting", "wrong"),
    [
        ("web.replicaCont=3", "replicaCont"),  # a typo'd key
        ("externalDatabse.host=db", "externalDatabse"),
        ("image.pullPolicy=Sometimes", "pullPolicy"),  # a value outside the enum
        ("web.autoscaling.targetCPU=high", "targetCPU"),
    ],
)
def test_schema_rejects_wrong_values(helm: str, setting: str, wrong: str) -> None:
    done = run_helm(
        helm, "template", RELEASE, str(CHART), "--values", str(VALUE_SETS["minimal"]), "--set", setting
    )
    assert done.returncode != 0
    assert "values don't meet the specifications of the schema" in done.stderr
    assert wrong in done.stderr


def leaf_keys(values: dict[str, Any], prefix: str = "") -> set[str]:
    """Dotted names of the documented values: maps with content are sections, the rest are values
    (free-form maps and lists such as resources or podSecurityContext are one value each)."""
    keys: set[str] = set()
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and not DOCUMENTED_AS_ONE.match(name):
            keys |= leaf_keys(value, f"{name}.")
        else:
            keys.add(name)
    return keys


DOCUMENTED_AS_ONE = re.compile(
    r"^(podSecurityContext|containerSecurityContext|networkPolicy\.ingressController\w+|(\w+\.)?resources)$"
)


def test_every_value_is_documented() -> None:
    text = (CHART / "values.yaml").read_text(encoding="utf-8")
    values = yaml.safe_load(text)
    params = set(re.findall(r"^\s*## @param (\S+) ", text, re.MULTILINE))
    assert params == leaf_keys(values)
    readme = (CHART / "README.md").read_text(encoding="utf-8")
    parameters = readme.split("\n## Parameters\n", 1)[1]
    table = set(re.findall(r"^\| `([^`]+)` +\|", parameters, re.MULTILINE))
    assert table == params, "README.md's values table lags behind values.yaml"


def test_package(helm: str, tmp_path: Path) -> None:
    done = run_helm(helm, "package", str(CHART), "--destination", str(tmp_path))
    assert done.returncode == 0, done.stderr
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    archive = tmp_path / f"nastavnik-{chart['version']}.tgz"
    with tarfile.open(archive) as packaged:
        names = set(packaged.getnames())
    assert {
        "nastavnik/values.schema.json",
        "nastavnik/README.md",
        "nastavnik/templates/migrations-job.yaml",
    } <= names
    assert not any(name.startswith("nastavnik/ci/") for name in names)
    # The packaged chart lints as the directory does.
    shutil.unpack_archive(archive, tmp_path / "unpacked")
    packaged_lint = run_helm(
        helm,
        "lint",
        "--strict",
        str(tmp_path / "unpacked" / "nastavnik"),
        "--values",
        str(VALUE_SETS["minimal"]),
    )
    assert packaged_lint.returncode == 0, packaged_lint.stdout + packaged_lint.stderr


def container_environment(container: dict[str, Any]) -> dict[str, str]:
    """The variables as the container sees them: a Secret's key stands in for its value, and
    `$(NAME)` expands to a variable defined before it, as Kubernetes does."""
    resolved: dict[str, str] = {}
    for variable in container["env"]:
        if "valueFrom" in variable:
            value = "secret-" + variable["valueFrom"]["secretKeyRef"]["key"] + "-" + "x" * 32
        else:
            value = re.sub(r"\$\((\w+)\)", lambda m: resolved.get(m.group(1), m.group(0)), variable["value"])
        resolved[variable["name"]] = value
    return resolved


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
def test_the_platform_reads_the_rendered_environment(
    rendered: dict[str, list[Manifest]], value_set: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = {f"NASTAVNIK_{name.upper()}" for name in Settings.model_fields}
    for manifest in pods(rendered[value_set]):
        if manifest["kind"] == "Pod":
            continue  # the helm test pod runs python3, not the platform
        [container] = pod_spec(manifest)["containers"]
        variables = container_environment(container)
        unknown = {name for name in variables if name.startswith("NASTAVNIK_")} - known
        assert not unknown, f"{manifest['metadata']['name']} sets what no setting reads: {unknown}"
        for name in [n for n in os.environ if n.startswith("NASTAVNIK_")]:
            monkeypatch.delenv(name)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        settings = Settings()
        settings.check()  # production's refusals: URLs set, a long secret key
        assert settings.is_production
        assert settings.database_url is not None
        assert settings.redis_url is not None
        url = make_url(settings.database_url)
        redis = make_url(settings.redis_url)
        if manifest["kind"] == "Job":
            assert url.password == variables["DB_OWNER_PASSWORD"]
        else:
            assert url.password is None, "web and worker get the owner's name, never its password"
        if "REDIS_PASSWORD" in variables:
            assert redis.password == variables["REDIS_PASSWORD"]
        assert settings.db_app_password is not None
        assert settings.db_app_password.get_secret_value() == "secret-db-app-password-" + "x" * 32
