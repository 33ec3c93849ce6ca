// Small behaviours shared by every page. Loaded as a file: the CSP allows no inline script.

// An action that cannot be undone asks first: a form, or its submit button, carries data-confirm (the question)
// and may carry data-confirm-ok (the button's words). The question opens in the page's <dialog>; without script
// the form is simply sent.
(() => {
  const dialog = document.getElementById("confirm-dialog");
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const source = [event.submitter, form].find((el) => el && el.dataset && el.dataset.confirm);
    if (!source) return;
    if (form.dataset.confirmed === "1") {
      delete form.dataset.confirmed;
      return;
    }
    if (!dialog || typeof dialog.showModal !== "function") {
      if (!window.confirm(source.dataset.confirm)) event.preventDefault();
      return;
    }
    event.preventDefault();
    const ok = dialog.querySelector("#confirm-ok");
    dialog.querySelector("#confirm-text").textContent = source.dataset.confirm;
    ok.textContent = source.dataset.confirmOk || ok.dataset.default;
    dialog.returnValue = "";
    const submitter = event.submitter;
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "ok") {
        form.dataset.confirmed = "1";
        if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
      } else if (submitter) {
        submitter.focus();
      }
    }, { once: true });
    dialog.showModal();
  });
})();

// A table wider than its box scrolls sideways: keyboard users reach the box with Tab (WCAG 2.1.1), and screen
// readers hear what it holds.
(() => {
  const label = (box) => {
    const caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    let el = box;
    while (el && el !== document.body) {
      let prev = el.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
        prev = prev.previousElementSibling;
      }
      el = el.parentElement;
    }
    return "";
  };
  const mark = () => document.querySelectorAll(".table-responsive").forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      const name = label(box);
      if (name) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name);
      }
    }
  });
  mark();
  window.addEventListener("resize", mark);
})();
