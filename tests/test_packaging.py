"""The container recipe: hadolint-clean, non-root, health-checked; compose runs it beside PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from service.settings import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"


def _final_stage() -> list[str]:
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    return lines[start:]


def test_hadolint_passes() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    done = subprocess.run([str(hadolint), str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_runs_as_a_numeric_non_root_user_with_a_health_check() -> None:
    stage = _final_stage()
    user = [line.split()[1] for line in stage if line.startswith("USER ")][-1]
    uid = user.split(":")[0]
    assert uid.isdigit()
    assert int(uid) != 0
    text = "\n".join(stage)
    healthcheck = text[text.index("\nHEALTHCHECK ") :].split("\nCMD ")[0]  # with its continuation
    assert "http://127.0.0.1:8000/health" in healthcheck
    assert stage[-1] == 'CMD ["detente", "serve"]'


def test_compose_runs_the_api_on_a_healthy_postgres() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    db, api = compose["services"]["db"], compose["services"]["api"]
    assert db["image"].startswith("postgres:")
    assert db["healthcheck"]["test"]
    assert api["build"] == "."
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    url = urlsplit(api["environment"]["DATABASE_URL"])
    assert (url.scheme, url.hostname, url.port) == ("postgresql", "db", 5432)
    assert url.path.lstrip("/") == db["environment"]["POSTGRES_DB"]
    assert any(str(port).endswith(":8000") for port in api["ports"])
