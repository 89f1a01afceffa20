"""Every page the browser tests visit, validated by the Nu HTML Checker in one run at the end.

Each browser context hands the HTML of every page it loads (the document as the server sent
it, not the DOM after scripts ran) to ``keep``; the files land in ``test-output/html``, one
folder per pytest process. When the whole run ends, the process that started it runs vnu
(the W3C validator: ``vnu-jar`` from npm, run with Java) once over all of them, and any error
fails the run with the page, line and message.

vnu and Java are found at ``tests/browser/vendor/node_modules/vnu-jar`` and on PATH; without
them the check is skipped with a note, unless ``PRACTICE_REQUIRE_VNU=1`` (CI) makes that an
error.
"""

import hashlib
import json
import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
VNU_JAR = Path(
    os.environ.get("PRACTICE_VNU_JAR")
    or HERE / "vendor" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
PAGES_DIR = ROOT / "test-output" / "html"
REQUIRED = os.environ.get("PRACTICE_REQUIRE_VNU") == "1"


def start_run() -> None:
    """Forget the pages of an earlier run (called once, by the process that starts the run)."""
    shutil.rmtree(PAGES_DIR, ignore_errors=True)


def keep(url: str, html: bytes) -> None:
    """Keep one page for the end-of-run validation; the same document twice is kept once."""
    digest = hashlib.sha256(html).hexdigest()[:20]
    folder = PAGES_DIR / os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{digest}.html"
    if page.exists():
        return
    page.write_bytes(html)
    with (folder / "pages.jsonl").open("a") as index:
        index.write(json.dumps({"file": page.name, "path": urlsplit(url).path}) + "\n")


def _paths() -> dict[str, str]:
    paths = {}
    for index in PAGES_DIR.glob("*/pages.jsonl"):
        for line in index.read_text().splitlines():
            entry = json.loads(line)
            paths[str(index.parent / entry["file"])] = entry["path"]
    return paths


def validate() -> tuple[int, list[str]] | str:
    """(pages checked, one line per error) for every kept page, or why it could not run."""
    paths = _paths()
    if not paths:
        return 0, []
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        return f"HTML validation skipped: needs java on PATH and {VNU_JAR} (npm vnu-jar)"
    # --stdout: one JSON report for all the files; --errors-only: warnings are advice.
    done = subprocess.run(  # noqa: S603 - our own jar, our own files
        [java, "-Xss8m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]
        + sorted(paths),
        capture_output=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout or b"{}")
    except ValueError:
        return f"HTML validation could not read vnu's report: {done.stderr.decode()[-500:]}"
    by_message = defaultdict(list)
    for message in report.get("messages", []):
        if message.get("type") != "error":
            continue
        where = paths.get(message.get("url", "").removeprefix("file:"), message.get("url"))
        by_message[message["message"]].append(f"{where}:{message.get('lastLine', '?')}")
    lines = [
        f"{message} — on {len(places)} page(s): {', '.join(sorted(set(places))[:6])}"
        for message, places in sorted(by_message.items())
    ]
    return len(paths), lines
