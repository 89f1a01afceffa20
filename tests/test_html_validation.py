"""The end-of-run HTML check finds a real error in a kept page and names the page and line."""

import shutil

import pytest

from tests.browser import html_validation

needs_vnu = pytest.mark.skipif(
    not html_validation.REQUIRED
    and (shutil.which("java") is None or not html_validation.VNU_JAR.exists()),
    reason="needs java and tests/browser/vendor vnu-jar (npm)",
)

VALID = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fine</title></head>
<body><main><h1>Fine</h1><p>All good.</p></main></body></html>"""
# A form inside a paragraph closes it early: the stray </p> is what vnu reports.
INVALID = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head>
<body><main><h1>Bad</h1>
<p>Pause sharing <form method="post" action="/x"><button>Pause</button></form></p>
<table><tr role="row"><td role="cell">1</td></tr></table></main></body></html>"""


@needs_vnu
def test_invalid_page_is_reported_with_its_path_and_line(tmp_path, monkeypatch):
    monkeypatch.setattr(html_validation, "PAGES_DIR", tmp_path / "html")
    html_validation.keep("http://127.0.0.1:5000/fine", VALID)
    html_validation.keep("http://127.0.0.1:5000/couples/7", INVALID)
    html_validation.keep("http://127.0.0.1:5000/couples/7?again", INVALID)  # kept once

    checked, errors = html_validation.validate()

    assert checked == 2
    assert any("“p” end tag" in line and "/couples/7:3" in line for line in errors), errors
    assert any("“role” attribute must not be used on a “td”" in line for line in errors)
    assert not any("/fine" in line for line in errors)


@needs_vnu
def test_valid_pages_give_no_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(html_validation, "PAGES_DIR", tmp_path / "html")
    html_validation.keep("http://127.0.0.1:5000/fine", VALID)
    assert html_validation.validate() == (1, [])
