"""Every page a browser test visits is checked, not only the ones a test remembers to check.

axe-core (bundled by axe-playwright-python; no download) runs in the page after each load and
reports back through a binding; a test fails at teardown on any serious or critical violation.
The same script measures horizontal overflow: nothing may be wider than the viewport
(review finding 22: tables stack or scroll inside their card).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import BrowserContext, Page

BLOCKING_IMPACTS = ("serious", "critical")

_AFTER_LOAD = """
(() => {
  if (window.top !== window || location.protocol === "about:") return;
  const run = async () => {
    let violations = [];
    try {
      const result = await axe.run(document, {resultTypes: ["violations"]});
      violations = result.violations
        .filter((v) => %(impacts)s.includes(v.impact))
        .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
    } catch (error) {
      violations = [{id: "axe-error", impact: "critical", help: String(error), nodes: []}];
    }
    const width = document.documentElement.clientWidth;
    const wide = [];
    if (document.documentElement.scrollWidth > width + 1) {
      for (const element of document.body.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        const scrolls = element.closest(".table-responsive, .overflow-auto, pre");
        if (box.right > width + 1 && box.width > 0 && !scrolls) {
          const classes = typeof element.className === "string" ? element.className.trim() : "";
          wide.push(element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
                    (classes ? "." + classes.split(/\\s+/).join(".") : "") +
                    " (right " + Math.round(box.right) + "px)");
          if (wide.length >= 5) break;
        }
      }
      const scrollWidth = document.documentElement.scrollWidth;
      if (!wide.length) wide.push("page scrollWidth " + scrollWidth + "px");
    }
    window.__entitleAudit(location.pathname + location.search, width, violations, wide);
  };
  if (document.readyState === "complete") setTimeout(run, 0);
  else window.addEventListener("load", () => setTimeout(run, 0));
})();
""".replace("%(impacts)s", str(list(BLOCKING_IMPACTS)))


@dataclass
class PageAudit:
    """What the audit found across one test's pages."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def install(self, context: BrowserContext) -> None:
        context.expose_binding("__entitleAudit", self._report)
        context.add_init_script(AXE_SCRIPT)
        context.add_init_script(_AFTER_LOAD)

    def _report(self, source, path: str, width: int, violations: list, wide: list) -> None:
        self.checked.append(f"{path} @{width}px")
        for violation in violations:
            self.problems.append(
                f"{path} @{width}px: axe {violation['impact']} {violation['id']}: "
                f"{violation['help']} at {violation['nodes']}"
            )
        for element in wide:
            self.problems.append(f"{path} @{width}px: wider than the viewport: {element}")

    def check_now(self, page: Page) -> None:
        """Run the audit on the page as it is now (after a script changed it, say)."""
        page.evaluate(
            _AFTER_LOAD.replace("if (document.readyState", "if (true || document.readyState")
        )
        page.wait_for_timeout(50)

    def wait_for(self, page: Page, *, timeout_ms: int = 15_000) -> None:
        """Wait until the audit of the page as loaded now has reported (axe takes a moment;
        navigating away first would cut it short)."""
        path = page.evaluate("location.pathname + location.search")
        width = page.viewport_size["width"] if page.viewport_size else 0
        entry = f"{path} @{width}px"
        waited = 0
        while entry not in self.checked:
            if waited >= timeout_ms:
                raise AssertionError(f"the page audit did not report for {entry}")
            page.wait_for_timeout(50)
            waited += 50

    def assert_clean(self) -> None:
        assert not self.problems, "page audit failed:\n" + "\n".join(dict.fromkeys(self.problems))
