"""Open the report in headless Chromium (Debian package `chromium`, installed by
scripts/setup/chromium.sh) and check that it renders: the DOM after loading has the tables, the
demo banner and one <img> per plot whose data decodes as PNG (or whose linked file exists); a
screenshot is not blank and shows the banner's colour; Snakemake's own HTML report (a
JavaScript page) renders its categories and the workflow description."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from tests.workflow.test_report_workflow import built_report_workflow

BANNER_RGB = (0xFF, 0xF3, 0xCD)  # .banner background in codepeft/report/html.py


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("chromium not installed (run scripts/setup/chromium.sh as root)")


def run_chromium(args: list[str], profile: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",  # root in CI containers
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--allow-file-access-from-files",
        f"--user-data-dir={profile}",
        *args,
    ]
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    return proc


class _Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, int] = {}
        self.imgs: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []  # visible text: script and style contents left out
        self._skip = 0

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript") and self._skip:
            self._skip -= 1

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript"):
            self._skip += 1
        self.tags[tag] = self.tags.get(tag, 0) + 1
        attrs = dict(attrs)
        if tag == "img":
            self.imgs.append(attrs.get("src") or "")
        if attrs.get("id"):
            self.ids.add(attrs["id"])

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def dump_dom(url: str, profile: Path, budget_ms: int = 0) -> _Dom:
    args = ["--dump-dom", url]
    if budget_ms:
        args.insert(0, f"--virtual-time-budget={budget_ms}")
    proc = run_chromium(args, profile)
    dom = _Dom()
    dom.feed(proc.stdout.decode("utf-8", errors="replace"))
    return dom


@pytest.fixture(scope="module")
def workflow(tmp_path_factory) -> Path:
    chromium()
    return built_report_workflow(tmp_path_factory)


@pytest.mark.slow
def test_index_renders_tables_banner_and_plots(workflow, tmp_path):
    out = workflow / "results/report"
    dom = dump_dom((out / "index.html").as_uri(), tmp_path / "profile")
    text = " ".join(" ".join(dom.text).split())
    assert "demo-banner" in dom.ids and "numbers from a tiny demo model" in text
    assert "they say nothing about real models" in text
    assert dom.tags.get("table", 0) >= 8 and dom.tags.get("td", 0) > 100
    for heading in ("Research questions", "pass@1", "Not computed", "Trained models", "Provenance"):
        assert heading in text
    assert "not computed: CoderEval image not available" in text  # counted, not hidden
    plots = sorted(p.name for p in (out / "plots").glob("*.png"))
    assert len(dom.imgs) == len(plots) >= 4
    for src in dom.imgs:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


@pytest.mark.slow
def test_index_screenshot_not_blank(workflow, tmp_path):
    from PIL import Image

    shot = tmp_path / "shot.png"
    run_chromium(
        [
            "--hide-scrollbars",
            "--window-size=1400,2400",
            f"--screenshot={shot}",
            (workflow / "results/report/index.html").as_uri(),
        ],
        tmp_path / "profile",
    )
    img = np.asarray(Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")).astype(int)
    assert img.shape[0] >= 2000 and img.shape[1] >= 1300
    assert img.std() > 20  # not a blank page
    banner = np.all(np.abs(img - np.array(BANNER_RGB)) <= 3, axis=2).sum()
    assert banner > 5000, "the demo banner is not visible"
    colours = {tuple(c) for c in img[::7, ::7].reshape(-1, 3)}
    assert len(colours) > 50  # text, tables and plots, not a flat page


@pytest.mark.slow
def test_linked_images_exist(workflow, tmp_path):
    """The command line with --link-images: the page links plots/*.png; every link resolves."""
    from codepeft.report.cli import main

    out = tmp_path / "linked"
    args = ["--config", str(workflow / "config.yaml"), "--root", str(workflow), "--out", str(out)]
    assert main([*args, "--link-images"]) == 0
    dom = dump_dom((out / "index.html").as_uri(), tmp_path / "profile")
    assert dom.imgs and all(not s.startswith("data:") for s in dom.imgs)
    for src in dom.imgs:
        assert (out / src).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", src


@pytest.mark.slow
def test_snakemake_report_renders(workflow, tmp_path):
    report = workflow / "results/report/snakemake_report.html"
    raw = _Dom()
    raw.feed(report.read_text(errors="replace"))
    raw_text = " ".join(" ".join(raw.text).split())
    assert "a fine-tuning study of code LLMs" not in raw_text  # only JavaScript puts it there
    dom = dump_dom(report.as_uri(), tmp_path / "profile", budget_ms=15000)
    text = " ".join(" ".join(dom.text).split())
    # rendered by the page's JavaScript: categories (one per stage), the workflow description,
    # the demo note
    for expected in (
        "Execution (pass@k)",
        "Static analysis",
        "Statistical tests",
        "Report",
        "a fine-tuning study of code LLMs",
        "numbers from a tiny demo model",
    ):
        assert expected in text, expected
