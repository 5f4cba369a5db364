"""The HTML report as a person sees it: rendered by headless Chromium, its charts loaded with a size
and no script error. Skipped where `chromium` is not installed (`.ci/run` installs it with apt)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from storage.db import Database
from tests.cli_runner import holdfast
from tests.report_book import TEAM, seed_report_book

CHROMIUM = shutil.which("chromium")
# Put first in <head>: records every script error, and once the page has loaded writes what each
# image loaded as, and the errors, into the DOM that `--dump-dom` prints.
PROBE = """<script>
window.probeErrors = [];
window.addEventListener("error", (e) => window.probeErrors.push(String(e.message)));
window.addEventListener("load", () => {
  const images = [...document.images].map((i) => ({complete: i.complete, width: i.naturalWidth,
    height: i.naturalHeight, shownWidth: i.getBoundingClientRect().width, alt: i.alt}));
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({images, errors: window.probeErrors});
  document.body.appendChild(out);
});
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (.ci/run installs it with apt-get)")
def test_the_html_report_shows_both_charts_in_chromium_with_no_script_error(
    db: Database, tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    seed_report_book(db)
    page = tmp_path / "report.html"
    ran = holdfast(
        ["report", "--format", "html", "--out", str(page), "--team", TEAM],
        tmp_path,
        DATABASE_URL=db.url.render_as_string(hide_password=False),
    )
    assert ran.returncode == 0, ran.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html  # the page itself runs nothing
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stdout[-2000:]
    probe = json.loads(found[1].replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["errors"] == []
    assert [image["alt"] for image in probe["images"]] == [
        "Reason coverage over the last 12 weeks",
        "Latest verdict by reason theme",
    ]
    for image in probe["images"]:
        assert image["complete"]
        assert image["width"] > 100
        assert image["height"] > 100
        assert image["shownWidth"] > 100
