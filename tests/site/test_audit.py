"""`make audit` fails on a known vulnerability and never reports an audit it could not do."""

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit.py"


@pytest.fixture
def audit():
    spec = importlib.util.spec_from_file_location("ci_audit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answers(monkeypatch, by_service: dict[str, str]):
    def run(command, **kwargs):
        service = command[command.index("--vulnerability-service") + 1]
        return subprocess.CompletedProcess(command, 0, stdout=by_service[service], stderr="")

    monkeypatch.setattr(subprocess, "run", run)


def report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


CLEAN = {"name": "django", "version": "6.1.3", "vulns": []}
VULNERABLE = {
    "name": "django",
    "version": "6.1.3",
    "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["6.1.4"]}],
}
SKIPPED = {"name": "django", "skip_reason": "Dependency not found on PyPI"}


def test_a_known_vulnerability_fails(audit, monkeypatch, capsys):
    answers(monkeypatch, {"pypi": report(CLEAN, VULNERABLE), "osv": ""})
    assert audit.main() == 1
    assert "PYSEC-0000-1" in capsys.readouterr().out


def test_a_clean_audit_passes(audit, monkeypatch, capsys):
    answers(monkeypatch, {"pypi": report(CLEAN), "osv": ""})
    assert audit.main() == 0
    assert "no known vulnerabilities in 1 pinned packages" in capsys.readouterr().out


def test_the_next_service_is_tried_when_one_cannot_check_everything(audit, monkeypatch):
    answers(monkeypatch, {"pypi": report(CLEAN, SKIPPED), "osv": report(VULNERABLE)})
    assert audit.main() == 1


def test_no_reachable_service_is_said_plainly_without_failing(audit, monkeypatch, capsys):
    answers(monkeypatch, {"pypi": report(SKIPPED), "osv": "Traceback: ConnectionError"})
    assert audit.main() == 0
    assert "THE DEPENDENCY AUDIT COULD NOT BE DONE" in capsys.readouterr().out
