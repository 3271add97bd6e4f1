"""The widgets in a real browser: JupyterLab on localhost, Chromium driven by Playwright, 1100 px wide.

One JupyterLab (from this venv, a token, throw-away runtime / config / settings / workspace
directories, progress in a temp file) serves copies of widgets.ipynb and the course's 00 notebook.
The tests share one page and run in order:

1. typing in the playground's editor: line numbers, the matrix and diagram follow, an error line is
   marked in the gutter (and the end-of-typing → redrawn-matrix time is written to
   tests/artifacts/browser-latency.json; speed targets live in benchmarks/, so it is not asserted);
2. the 16-pod matrix at 1100 px: no namespace header, pod or row label clipped (text width against
   its cell's width), the Explain bar inside the window;
3. a click on a diagram arrow shows that connection's explanation;
4. the dark theme: every mark's contrast, computed from the rendered colours, is at least 4.5:1;
5. saved, closed (kernel shut down) and reopened: "run this cell to continue", no "model not found";
6. notebook 00: after Run All no reveal is open; a wrong first answer shows "first try: ✗";
7. notebook 00 of the zh-CN edition: its prose and npkit's intro card are drawn with a CJK font (the
   fonts Chromium actually used for the heading's glyphs, asked through the DevTools protocol; a missing
   font would draw boxes with a fallback), screenshot zh-CN-welcome.png;
8. the same notebook's question speaks Chinese: its buttons are 允许 / 拒绝, and a wrong answer shows
   "首次作答：✗" (the English 00 above answered it first, in the same progress file: still ✗).

Screenshots of each go to tests/artifacts/. The server (and its kernels) is always stopped.
Needs Debian's chromium (/usr/bin/chromium) and PyPI playwright; never `playwright install`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

HERE = Path(__file__).parent
REPO = HERE.parents[1]
ARTIFACTS = HERE.parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NOTEBOOK = "widgets.ipynb"
WELCOME = "00-welcome.ipynb"
WIDTH, HEIGHT = 1100, 900
PLAYGROUND = ".npkit-playground"

DENY_WEB = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: only-frontend-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: frontend
"""

sync_api = pytest.importorskip("playwright.sync_api", reason="PyPI playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(server: subprocess.Popen) -> None:
    """Stop the server and everything it started (its kernels): the process group we created."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
    try:  # kernels left behind in the group
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@dataclass
class Lab:
    base: str
    token: str
    root: Path

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?token={self.token}"


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory) -> Iterator[Lab]:
    tmp = tmp_path_factory.mktemp("jupyterlab")
    root = tmp / "root"
    root.mkdir()
    shutil.copy(HERE / NOTEBOOK, root / NOTEBOOK)
    shutil.copy(REPO / "notebooks" / WELCOME, root / WELCOME)
    (root / "zh-CN").mkdir()
    shutil.copy(REPO / "notebooks" / "zh-CN" / WELCOME, root / "zh-CN" / WELCOME)
    port, token = _free_port(), "npkit-browser-test"
    env = dict(os.environ, NPKIT_PROGRESS=str(tmp / "progress.json"))
    for var, sub in (("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTER_CONFIG_DIR", "config"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                     ("IPYTHONDIR", "ipython")):
        env[var] = str(tmp / sub)
    jupyter = Path(sys.executable).parent / "jupyter"
    log = tmp / "jupyter.log"
    command = [str(jupyter), "lab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.news_url=''"]  # no "news?" notification over the widgets
    with open(log, "w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root,
                                  start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/api/status?token={token}", server, log)
        yield Lab(base, token, root)
    finally:
        _stop(server)


@pytest.fixture(scope="module")
def page(jupyterlab):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.set_default_timeout(30_000)
            open_notebook(page, jupyterlab.url(NOTEBOOK), NOTEBOOK)
            run_all(page)
            page.wait_for_selector(f"{PLAYGROUND} .npk-mx", timeout=60_000)
            yield page
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and "page" in request.fixturenames:
        request.getfixturevalue("page").screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"))


# -- driving JupyterLab ------------------------------------------------------------------------------
def _wait_for_kernel(page, timeout: float = 60) -> None:
    """Until the notebook's kernel is idle; accepts JupyterLab's kernel dialog if it asks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count():
            dialog.first.click()
        if "| Idle" in str(page.locator(".jp-StatusBar-Widget").all_inner_texts()):
            return
        time.sleep(0.25)
    raise TimeoutError("the notebook's kernel did not become idle")


ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def open_notebook(page, url: str, name: str) -> None:
    """Open a notebook and wait until it is the active tab and its own kernel is idle."""
    page.goto(url, timeout=60_000)
    page.wait_for_selector(f".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel:text-is('{name}')", timeout=60_000)
    _wait_for_kernel(page)
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)


def menu(page, top: str, item: str) -> None:
    page.click(f".lm-MenuBar-itemLabel:text-is('{top}')")
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def run_all(page) -> None:
    menu(page, "Run", "Run All Cells")


# -- colours -------------------------------------------------------------------------------------------
def parse_colour(text: str) -> tuple[float, float, float, float]:
    """`rgb(…)`, `rgba(…)` or `color(srgb …)` (what Chromium computes for color-mix) as 0..1 RGBA."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", text)]
    if text.startswith("color(srgb"):
        r, g, b = numbers[:3]
        return r, g, b, numbers[3] if len(numbers) > 3 else 1.0
    r, g, b = (n / 255 for n in numbers[:3])
    return r, g, b, numbers[3] if len(numbers) > 3 else 1.0


def _over(top: tuple[float, float, float, float], below: tuple[float, float, float]) -> tuple[float, float, float]:
    a = top[3]
    return tuple(top[k] * a + below[k] * (1 - a) for k in range(3))  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(foreground: str, background: str, page_background: str) -> float:
    """WCAG contrast of text over its (possibly translucent) background, over the page."""
    ground = _over(parse_colour(background), parse_colour(page_background)[:3])
    text = _over(parse_colour(foreground), ground)
    light, dark = sorted((_luminance(text), _luminance(ground)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# -- the tests -----------------------------------------------------------------------------------------
# Starts a clock and watches the matrix; `window.__npkitLatency` resolves once x/a → default/web is denied.
LATENCY_PROBE = """(debounce) => { window.__npkitLatency = new Promise((resolve, reject) => {
  const target = () => document.querySelector(".npkit-playground td[data-src='x/a'][data-dst='default/web']");
  const start = performance.now();
  setTimeout(() => reject(new Error('the matrix did not change within 30 s')), 30000);
  const observer = new MutationObserver(() => {
    const cell = target();
    if (cell && cell.classList.contains('npk-denied')) {
      observer.disconnect();
      resolve(performance.now() - start - debounce);
    }
  });
  observer.observe(document.querySelector('.npkit-playground'), {subtree: true, childList: true, attributes: true});
}); }"""


def test_typing_in_the_editor_redraws_and_an_error_line_is_marked(page):
    editor = page.locator(f"{PLAYGROUND} .cm-editor")
    assert editor.locator(".cm-lineNumbers .cm-gutterElement", has_text="1").count() >= 1
    assert editor.locator(".cm-content").get_attribute("contenteditable") == "true"
    editor.locator(".cm-content").click()
    page.evaluate(f"() => ({LATENCY_PROBE})(250)")  # starts the clock, then we type
    page.keyboard.insert_text(DENY_WEB)
    page.evaluate("() => window.__npkitLatency")
    marks = page.evaluate("""() => Object.fromEntries(['npkit-sent', 'npkit-received', 'npkit-redrawn'].map(
      (n) => [n, Math.max(...performance.getEntriesByName(n).map((e) => e.startTime))]))""")
    after_debounce_ms = marks["npkit-redrawn"] - marks["npkit-sent"]
    assert "1 policy loaded" in page.locator(f"{PLAYGROUND} .npkit-status").inner_text()
    cell = page.locator(f"{PLAYGROUND} td[data-src='x/a'][data-dst='default/web']")
    assert cell.inner_text().strip() == "·*"
    assert page.locator(f"{PLAYGROUND} .npk-edge-flip[data-src='x/a'][data-dst='default/web']").count() == 1
    assert editor.locator(".cm-lineNumbers .cm-gutterElement", has_text="16").count() == 1  # one per line
    figures = {"debounce over → matrix and diagram redrawn (ms)": round(after_debounce_ms, 1),
               "debounce over → kernel's answer received (ms)": round(marks["npkit-received"] - marks["npkit-sent"], 1)}
    (ARTIFACTS / "browser-latency.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(f"browser spot-check: {figures}")

    page.keyboard.press("Control+End")
    page.keyboard.insert_text("  policyTypes: [Ingres]\n")  # a typo on line 17 (and a repeated key)
    page.wait_for_selector(f"{PLAYGROUND} .cm-lint-marker-error", timeout=20_000)
    marked = page.evaluate("""() => {
      const marker = document.querySelector('.npkit-playground .cm-lint-marker-error');
      const top = marker.getBoundingClientRect().top;
      const numbers = [...document.querySelectorAll('.npkit-playground .cm-lineNumbers .cm-gutterElement')];
      const line = numbers.find((n) => Math.abs(n.getBoundingClientRect().top - top) < 3);
      return line ? line.textContent : null; }""")
    assert marked == "17"
    assert "line 17" in page.locator(f"{PLAYGROUND}").inner_text() and "stale" in page.locator(
        f"{PLAYGROUND} .npkit-status").inner_text()
    assert cell.inner_text().strip() == "·*"  # the last good matrix stays
    page.locator(f"{PLAYGROUND} .cm-editor").screenshot(path=str(ARTIFACTS / "editor-error-line.png"))
    page.keyboard.press("Control+z")  # undo takes the typo away again
    page.wait_for_function("() => !document.querySelector('.npkit-playground .cm-lint-marker-error')",
                           timeout=20_000)
    page.wait_for_function("() => !document.querySelector('.npkit-playground .npkit-status').innerText"
                           ".includes('stale')", timeout=20_000)
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=20_000)


def test_the_16_pod_matrix_fits_1100_px_without_clipping(page):
    table = page.locator(f"{PLAYGROUND} .npk-mx")
    # The table is redrawn whole on every change; scroll from the page, which needs no stable element.
    page.evaluate("() => document.querySelector('.npkit-playground .npk-mx').scrollIntoView({block: 'start'})")
    assert table.locator("tbody th.npk-src:not(.npk-group-label)").count() == 16
    geometry = page.evaluate("""() => {
      const box = (e) => e.getBoundingClientRect();
      const root = document.querySelector('.npkit-playground');
      const headers = [...root.querySelectorAll('th.npk-ns')].map((th) => ({
        ns: th.dataset.ns, text: th.innerText.trim(), title: th.title,
        text_width: box(th.querySelector('span')).width, cell_width: box(th).width}));
      const clipped = [...root.querySelectorAll('th.npk-pod > span, tbody th.npk-src > span')]
        .filter((s) => s.scrollWidth > s.clientWidth + 1 || s.scrollHeight > s.clientHeight + 1)
        .map((s) => s.textContent);
      const button = root.querySelector('button.npk-explain');
      const selects = [...root.querySelectorAll('.npk-toolbar select')].map((s) => box(s).right);
      const wrap = box(root.querySelector('.npk-table-wrap'));
      const area = box(root.closest('.jp-OutputArea-output'));
      return {headers, clipped, button: {left: box(button).left, right: box(button).right,
              text: button.innerText, scroll: button.scrollWidth, client: button.clientWidth},
              selects, wrap_right: wrap.right, area_right: area.right, window: window.innerWidth};
    }""")
    assert len(geometry["headers"]) == 7
    for h in geometry["headers"]:
        assert h["text_width"] <= h["cell_width"] + 0.5, f"namespace header {h['ns']} is clipped: {h}"
        assert h["ns"] in h["title"]  # the full name on hover
        assert h["text"] == h["ns"] or h["text"].endswith("…") or "-" in h["text"]  # whole, or visibly shortened
    assert geometry["clipped"] == []
    button = geometry["button"]
    assert button["text"] == "Explain" and button["scroll"] <= button["client"]
    assert 0 <= button["left"] and button["right"] <= geometry["window"]
    assert all(right <= geometry["window"] for right in geometry["selects"])
    assert geometry["wrap_right"] <= geometry["area_right"] + 1  # the matrix scrolls inside its output
    page.screenshot(path=str(ARTIFACTS / "matrix-16-pods-1100px.png"))

    # More than 12 pods: a namespace folds into one row and one column, and unfolds again.
    header = table.locator("th.npk-ns[data-ns='default']")
    header.click()
    page.wait_for_selector(f"{PLAYGROUND} th.npk-pod.npk-folded", timeout=10_000)
    assert table.locator("tbody th.npk-src:not(.npk-group-label)").count() == 11  # 6 default pods are one row
    folded = table.locator("td[title^='x/a → namespace default']")  # x/a to the six pods of default
    assert folded.inner_text() == "5/6" and "5 of 6 allowed" in folded.get_attribute("title")
    page.screenshot(path=str(ARTIFACTS / "matrix-folded-namespace.png"))
    table.locator("th.npk-ns[data-ns='default']").click()
    page.wait_for_selector(f"{PLAYGROUND} th.npk-pod.npk-folded", state="detached", timeout=10_000)


def test_a_click_on_a_diagram_arrow_explains_that_connection(page):
    page.locator(f"{PLAYGROUND} .npk-diagram-controls input[type=checkbox]").check()  # denied arrows too
    page.evaluate("() => document.querySelector(\".npkit-playground .npk-node[data-pod='x/b']\")"
                  ".scrollIntoView({block: 'center'})")
    page.locator(f"{PLAYGROUND} .npk-node[data-pod='x/b'] circle").click()  # only x/b's arrows, so the one we want is not under another
    point = page.evaluate("""() => {
      const g = document.querySelector(".npkit-playground .npk-edge[data-src='x/b'][data-dst='default/web']");
      g.scrollIntoView({block: 'center'});
      const path = g.querySelector('.npk-line');
      const length = path.getTotalLength();
      const m = path.getScreenCTM();
      for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
        const q = path.getPointAtLength(length * f);
        const x = q.x * m.a + q.y * m.c + m.e, y = q.x * m.b + q.y * m.d + m.f;
        if (g.contains(document.elementFromPoint(x, y))) return [x, y];
      }
      return null; }""")
    assert point is not None, "no visible point on the x/b → default/web arrow"
    page.mouse.click(*point)
    page.wait_for_function("() => document.querySelector('.npkit-playground .npkit-explanation')"
                           ".innerText.includes('x/b → default/web')", timeout=20_000)
    text = page.locator(f"{PLAYGROUND} .npkit-explanation").inner_text()
    assert "DENIED" in text and "only-frontend-to-web" in text
    assert page.locator(f"{PLAYGROUND} td.npk-sel[data-src='x/b'][data-dst='default/web']").count() == 1
    page.locator(f"{PLAYGROUND} .npk-diagram").screenshot(path=str(ARTIFACTS / "diagram-arrow-explained.png"))


def test_dark_theme_marks_have_contrast(page):
    menu(page, "Settings", "Theme")
    page.locator(".lm-Menu-itemLabel:text-is('JupyterLab Dark')").click()
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_timeout(500)  # the theme's stylesheet swaps in
    samples = page.evaluate("""() => {
      const root = document.querySelector('.npkit-playground');
      const style = (sel) => { const e = root.querySelector(sel); if (!e) return null;
        const c = getComputedStyle(e); return {sel, fg: c.color, bg: c.backgroundColor}; };
      return {page: getComputedStyle(document.querySelector('.jp-Notebook')).backgroundColor,
              samples: ['td.npk-allowed', 'td.npk-denied', 'th.npk-ns', 'tbody th.npk-src', 'th.npk-pod']
                .map(style)};
    }""")
    ratios = {}
    for s in samples["samples"]:
        assert s is not None
        ratios[s["sel"]] = contrast(s["fg"], s["bg"], samples["page"])
    assert min(ratios.values()) >= 4.5, ratios
    page.screenshot(path=str(ARTIFACTS / "dark-theme-matrix.png"))
    (ARTIFACTS / "dark-theme-contrast.json").write_text(json.dumps({k: round(v, 2) for k, v in ratios.items()}))


def test_a_saved_closed_and_reopened_notebook_asks_to_run_the_cell(page, jupyterlab):
    page.keyboard.press("Escape")
    menu(page, "File", "Save Notebook")
    page.wait_for_timeout(1000)
    saved = json.loads((jupyterlab.root / NOTEBOOK).read_text())
    assert saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    menu(page, "File", "Close and Shut Down Notebook")
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    if accept.count():
        accept.first.click()
    page.wait_for_selector(".jp-Notebook", state="detached", timeout=30_000)
    open_notebook(page, jupyterlab.url(NOTEBOOK), NOTEBOOK)
    page.wait_for_selector(".npkit-placeholder", timeout=30_000)
    outputs = " ".join(page.locator(".jp-OutputArea").all_inner_texts())
    assert "model not found" not in outputs
    assert outputs.count("Run this cell (Shift+Enter) to continue") == 2  # the playground and the selector lab
    page.screenshot(path=str(ARTIFACTS / "reopened-notebook.png"))
    run_all(page)  # and running it again brings the widget back
    page.wait_for_selector(f"{PLAYGROUND} .npk-mx", timeout=60_000)


def test_notebook_00_keeps_reveals_closed_and_records_a_wrong_first_try(page, jupyterlab):
    open_notebook(page, jupyterlab.url(WELCOME), WELCOME)
    run_all(page)
    page.wait_for_selector(f"{ACTIVE} .npkit-question", timeout=60_000)
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    open_reveals = page.evaluate("""() => [...document.querySelectorAll('.npkit-reveal')]
      .filter((e) => e.offsetParent !== null && e.innerText.trim()).length""")
    assert open_reveals == 0
    question = page.locator(f"{ACTIVE} .npkit-question").first
    question.scroll_into_view_if_needed()
    question.locator("button", has_text="Allowed").click()
    result = question.locator(".npkit-question-result")
    result.locator(".npkit-first-try").wait_for(timeout=20_000)
    assert "first try: ✗" in result.inner_text()
    question.screenshot(path=str(ARTIFACTS / "question-first-try.png"))


def _platform_fonts(page, selector: str) -> dict[str, int]:
    """The fonts Chromium drew the text of `selector`'s first element with: family → glyph count."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"nothing matches {selector}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return {f["familyName"]: int(f["glyphCount"]) for f in fonts}


CJK_FONT = re.compile(r"CJK|Source Han|WenQuanYi|YaHei|PingFang|Hiragino|Heiti|Noto Sans SC", re.I)


def test_the_chinese_edition_is_drawn_with_a_chinese_font(page, jupyterlab):
    name = f"zh-CN/{WELCOME}"
    page.goto(jupyterlab.url(name), timeout=60_000)
    # The English 00 has a tab of the same name: wait for the Chinese one's heading in the active panel.
    heading = f"{ACTIVE} .jp-MarkdownCell .jp-RenderedMarkdown h1:has-text('欢迎使用 npkit')"
    page.wait_for_selector(heading, timeout=60_000)
    _wait_for_kernel(page)
    run_all(page)
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    # The first code cell set the language, so npkit's own output is Chinese too (the intro card's title).
    card = page.locator(f"{ACTIVE} .jp-CodeCell .jp-OutputArea-output", has_text="00 · 欢迎").first
    card.scroll_into_view_if_needed(timeout=60_000)
    page.locator(heading).first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "zh-CN-welcome.png"))
    fonts = _platform_fonts(page, f"{ACTIVE} .jp-MarkdownCell .jp-RenderedMarkdown h1")  # CSS only, for DevTools
    chinese = {f: n for f, n in fonts.items() if CJK_FONT.search(f)}
    # "欢迎使用" is four glyphs; all of them from a CJK font (a box would be drawn by a Latin or last-resort font)
    assert sum(chinese.values()) >= 4, f"Chinese drawn with {fonts}: install fonts-noto-cjk (.ci/run does)"


def test_the_chinese_edition_records_a_wrong_first_try_in_chinese(page, jupyterlab):
    heading = f"{ACTIVE} .jp-MarkdownCell .jp-RenderedMarkdown h1:has-text('欢迎使用 npkit')"
    if not page.locator(heading).count():  # run alone: open and run the Chinese 00 first
        page.goto(jupyterlab.url(f"zh-CN/{WELCOME}"), timeout=60_000)
        page.wait_for_selector(heading, timeout=60_000)
        _wait_for_kernel(page)
        run_all(page)
    page.wait_for_selector(f"{ACTIVE} .npkit-question", timeout=60_000)
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    question = page.locator(f"{ACTIVE} .npkit-question").first
    question.scroll_into_view_if_needed()
    assert question.locator("button", has_text="拒绝").count() == 1
    question.locator("button", has_text="允许").click()
    result = question.locator(".npkit-question-result")
    result.locator(".npkit-first-try").wait_for(timeout=20_000)
    assert "首次作答：✗" in result.inner_text()
    question.screenshot(path=str(ARTIFACTS / "zh-CN-question-first-try.png"))
