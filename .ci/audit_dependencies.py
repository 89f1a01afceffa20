"""Known vulnerabilities in the installed dependencies (pip-audit), for .ci/run.

Fails (exit 1) when pip-audit reaches its vulnerability database and finds a vulnerable
package. When the database cannot be reached (no network, a mirror without advisories that
answers "not found" for every package, a time-out), it says so and exits 0: a build
without a network still runs its tests.
"""

import json
import subprocess
import sys

TIMEOUT_SECONDS = 300


def main() -> int:
    command = ["pip-audit", "--progress-spinner", "off", "--skip-editable", "--format", "json"]
    try:
        done = subprocess.run(  # noqa: S603 - a fixed command, no input from anyone
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return _unreachable(f"no answer in {TIMEOUT_SECONDS} s")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return _unreachable(last)
    packages = report.get("dependencies", [])
    audited = [p for p in packages if "skip_reason" not in p]
    if not audited:
        return _unreachable(f"all {len(packages)} packages skipped (not found in its database)")
    vulnerable = [p for p in audited if p.get("vulns")]
    for package in vulnerable:
        for vuln in package["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"pip-audit: {package['name']} {package['version']}: {vuln['id']} ({fixed})")
    skipped = len(packages) - len(audited)
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} of {len(audited)} audited packages are vulnerable.")
        return 1
    print(f"pip-audit: {len(audited)} packages audited, none vulnerable ({skipped} skipped).")
    return 0


def _unreachable(why: str) -> int:
    print(f"pip-audit: could not reach its vulnerability database ({why}); not audited.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
