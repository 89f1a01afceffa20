"""The baseline of bench/web_bench.py: a plain Flask app rendering a 25 KB Jinja page of 50
items, the yardstick every Practice page is measured against in the same run.

Committed and left unchanged, so that ratios from different days compare.
"""

from flask import Flask, render_template

app = Flask(__name__)

ITEMS = [
    {
        "id": number,
        "title": f"Item {number}: a line of ordinary text to stand for a couple's name",
        "detail": (
            "A sentence of detail, about as long as a row on a practitioner's "
            "dashboard with its step and status."
        ),
        "status": ("waiting", "reviewed", "draft")[number % 3],
    }
    for number in range(1, 51)
]


@app.get("/")
def page():
    return render_template("page.html", items=ITEMS)
