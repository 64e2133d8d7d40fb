"""Audit the locked dependencies (requirements.lock) with pip-audit; never pass silently.

Exit 1 when a known vulnerability is found. When the vulnerability database cannot be
reached (no network but the package index), say so loudly — every dependency left
unaudited is listed — and exit 0: the audit did not run, and the log says it did not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parents[1] / "requirements.lock"


def main() -> int:
    """Run pip-audit on the lock file and judge its JSON report."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "-r",
            str(LOCK),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print("pip-audit: NOT AUDITED — the vulnerability service could not be asked:")
        print(run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "(no output)")
        return 0
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if "skip_reason" in d]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if skipped:
        print(
            f"pip-audit: NOT AUDITED — {len(skipped)} of {len(deps)} locked dependencies could "
            "not be checked (the vulnerability database is unreachable from here):"
        )
        print("  " + ", ".join(str(d.get("name")) for d in skipped))
    audited = len(deps) - len(skipped)
    print(f"pip-audit: {audited} audited, {len(vulnerable)} vulnerable, {len(skipped)} unaudited")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
