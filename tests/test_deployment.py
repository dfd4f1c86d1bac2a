"""The deployment one can copy (issue 13, part 6): site/compose.yaml brings up the whole service, its nginx
balances two web processes and keeps private things private, and every variable the settings read is in the
README's Configuration table. Docker cannot pull images here: the files are checked as data, and with
`docker compose config` (or docker-compose) where one is installed."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.test_private_files import nginx_locations

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((SITE / "compose.yaml").read_text())


def test_compose_brings_up_the_whole_service(compose):
    services = compose["services"]
    assert {"postgres", "redis", "minio", "elasticsearch", "web1", "web2", "worker", "nginx"} <= set(services)
    for web in ("web1", "web2"):
        assert services[web]["command"] == ["gunicorn", "-c", "site/gunicorn.conf.py", "config.wsgi"]
        assert "/readyz" in " ".join(services[web]["healthcheck"]["test"])
        assert services[web]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["worker"]["command"] == ["python", "manage.py", "worker"]
    assert set(services["nginx"]["depends_on"]) == {"web1", "web2"}
    for stateful in ("postgres", "redis", "minio"):
        assert "healthcheck" in services[stateful]


def test_every_process_shares_the_same_services(compose):
    services = compose["services"]
    environments = [services[name]["environment"] for name in ("web1", "web2", "worker", "migrate")]
    for shared in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "S3_PUBLIC_BUCKET", "S3_ENDPOINT_URL", "SECRET_KEY"):
        assert len({environment[shared] for environment in environments}) == 1, shared
    web = environments[0]
    assert web["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert web["TRUSTED_PROXY_COUNT"] == "1"  # nginx in front, appending to X-Forwarded-For
    # The private bucket is never made public; only the public one is.
    buckets = " ".join(services["minio-buckets"]["command"])
    assert "anonymous set none local/libreria-private" in buckets
    assert "anonymous set download local/libreria-public" in buckets


def test_the_compose_nginx_balances_both_webs_and_serves_only_renditions():
    text = (SITE / "nginx.compose.conf").read_text()
    upstream = re.search(r"upstream libreria \{(?P<body>[^}]*)\}", text)["body"]
    assert re.findall(r"server (web\d):8000", upstream) == ["web1", "web2"]
    assert "ip_hash" not in upstream and "sticky" not in upstream  # nothing sticky
    locations = nginx_locations(text)
    assert locations["/media/"] == ["return 404"]
    assert locations["/metrics"] == ["return 404"]
    assert "proxy_pass http://minio:9000/libreria-public/images/" in locations["/media/images/"]
    assert "proxy_set_header X-Request-ID $request_id" in locations["/"]


def test_the_nginx_example_keeps_metrics_internal_and_passes_the_request_id():
    locations = nginx_locations((SITE / "nginx.conf.example").read_text())
    assert locations["/metrics"] == ["return 404"]
    assert "proxy_set_header X-Request-ID $request_id" in locations["/"]


def test_docker_validates_the_compose_file_where_it_can():
    """`docker compose config` or docker-compose, offline; without either, the YAML checks above stand."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        command = ["docker", "compose", "-f", "compose.yaml", "config", "-q"]
    elif shutil.which("docker-compose"):
        command = ["docker-compose", "-f", "compose.yaml", "config", "-q"]
    else:
        pytest.skip("neither docker compose nor docker-compose is installed")
    result = subprocess.run(command, cwd=SITE, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def variables_read():
    """Every environment variable the settings, the gunicorn configuration and config/ read."""
    pattern = re.compile(r'(?:environ\.get|required|env_list|env_flag)\(\s*"([A-Z][A-Z0-9_]+)"')
    found = set()
    for path in [*sorted((ROOT / "config").rglob("*.py")), SITE / "gunicorn.conf.py"]:
        if path.name == "test.py":
            continue  # the test settings' own variables are for the suite
        found |= set(pattern.findall(path.read_text()))
    return found


def test_every_variable_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") :]
    table = table[: table.index("\n## ", 5)]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    missing = sorted(variables_read() - documented)
    assert not missing, f"not in README's Configuration table: {missing}"
    assert {"S3_BUCKET", "REDIS_SOCKET_TIMEOUT", "METRICS_TOKEN", "READYZ_TIMEOUT", "LOG_FORMAT"} <= variables_read()
