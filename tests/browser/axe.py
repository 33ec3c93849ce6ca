"""axe-core on every page the browser tests open: each loaded document, and each page's last state at the end.

The vendored axe.min.js (`make vendor-axe`) is evaluated in the page through the DevTools protocol, which the
portal's strict CSP does not govern (the portal itself never serves it). Serious and critical violations are
kept per test; tests/browser/conftest.py fails the test that met any.
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
RUN = """async () => {
  if (document.contentType !== "text/html" || !document.body || !window.axe) return null;  // a page that moved on
  while (window.__portalAxeRun) await window.__portalAxeRun;  // one run at a time: a load and a final check may meet
  const run = window.axe.run(document, { resultTypes: ["violations"] });
  window.__portalAxeRun = run.catch(() => null);
  let result;
  try { result = await run; } finally { window.__portalAxeRun = null; }
  return result.violations.filter((v) => ["serious", "critical"].includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 8).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary || "" })),
    count: v.nodes.length,
  }));
}"""

_source: str | None = None
_found: list[str] = []
_checked = 0
_total = 0  # page states checked in the whole run (terminal summary)


def _script() -> str:
    global _source
    if _source is None:
        if not AXE_JS.exists():
            raise RuntimeError(f"{AXE_JS} is missing: run `make vendor-axe`")
        _source = AXE_JS.read_text(encoding="utf-8")
    return _source


def axe_violations(page) -> list[str]:
    """The serious and critical violations on the page as it is now, one line per rule (empty: none)."""
    if page.is_closed() or not page.url.startswith(("http://", "https://")):  # about:blank: never opened
        return []
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(_script() + "\n;undefined")
    violations = page.evaluate(RUN)
    lines = []
    for v in violations or ():
        where = "; ".join(n["target"] + (" — " + " ".join(n["summary"].split()) if n["summary"] else "")
                          for n in v["nodes"])
        lines.append(f"{page.url} [{v['impact']}] {v['id']} ({v['help']}), {v['count']} element(s): {where}")
    return lines


def check(page) -> None:
    """Run axe on the page now and keep what it finds; a page that navigated away meanwhile is checked at its
    next load instead."""
    global _checked, _total
    try:
        lines = axe_violations(page)
    except Exception as exc:
        text = str(exc)
        if any(word in text for word in ("context was destroyed", "closed", "navigat")):
            return
        lines = [f"{page.url}: axe could not run: {text.splitlines()[0] if text else exc!r}"]
    _checked += 1
    _total += 1
    for line in lines:
        if line not in _found:
            _found.append(line)


def watch(page) -> None:
    """Check every document the page loads."""
    page.on("load", check)


def start_test() -> None:
    global _checked
    _found.clear()
    _checked = 0


def end_test() -> list[str]:
    """What the test's pages showed; forgotten afterwards."""
    found = list(_found)
    _found.clear()
    return found


def checked() -> int:
    """How many page states were checked in the current test."""
    return _checked


def total() -> int:
    """How many page states were checked in this test process."""
    return _total
