"""The dependency audit of `make lint` (.ci/security, issue #10 item 5): it says plainly when its
vulnerability service cannot be reached and passes; when the service answers with a known
vulnerability it fails, naming the package, the advisory and the fixed version. (The gates
themselves run in `make lint`; these tests stand in for the services.)
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "security"
LOCKED = "# uv export\ndjango==5.2.19\n    # via entitle\ncelery==5.5.3\n"


@pytest.fixture
def security():
    loader = SourceFileLoader("ci_security", str(SCRIPT))
    spec = importlib.util.spec_from_loader("ci_security", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def answers(pip_audit: dict):
    """Stand-ins for `uv export` and pip-audit's JSON report."""

    def run(args, **_kwargs):
        out = LOCKED if args[0].endswith("uv") else json.dumps(pip_audit)
        return subprocess.CompletedProcess(args, 0, stdout=out, stderr="")

    return run


def test_the_audit_is_skipped_and_says_so_when_no_service_is_reachable(
    security, monkeypatch, capsys
):
    monkeypatch.setattr(security, "run", answers({}))
    monkeypatch.setattr(security, "reachable", lambda _request: False)

    assert security.gate_audit() is True
    assert "pip-audit: skipped, pypi.org and api.osv.dev unreachable" in capsys.readouterr().out


def test_the_audit_fails_listing_each_vulnerable_pin_and_its_fixed_version(
    security, monkeypatch, capsys
):
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.19",
                "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["5.2.20"]}],
            },
            {"name": "celery", "version": "5.5.3", "vulns": []},
        ]
    }
    monkeypatch.setattr(security, "run", answers(report))
    monkeypatch.setattr(security, "vulnerability_service", lambda *_pin: "pypi")

    assert security.gate_audit() is False
    out = capsys.readouterr().out
    assert "django 5.2.19: PYSEC-2099-1 (fixed in 5.2.20)" in out
    assert "2 locked packages audited against pypi: 1 known vulnerabilities" in out


def test_a_service_that_finds_none_of_the_packages_counts_as_unreachable(
    security, monkeypatch, capsys
):
    """What a registry mirror without PyPI's per-release API answers: every package 'not
    found' -- no audit happened, which is not a pass to report as one."""
    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found"}]}
    monkeypatch.setattr(security, "run", answers(report))
    monkeypatch.setattr(security, "vulnerability_service", lambda *_pin: "pypi")

    assert security.gate_audit() is True
    assert "pip-audit: skipped, pypi unreachable" in capsys.readouterr().out
