// The audit pages' small behaviours. Loaded as a file: the CSP allows no inline script.

// The run form: "choose all" / "choose none" for the detectors' checkboxes.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-check]");
  if (!button) {
    return;
  }
  const on = button.dataset.check === "all";
  document.querySelectorAll('#detector-list input[type="checkbox"]').forEach((box) => {
    box.checked = on;
  });
});

// The run page: while the run goes, poll its progress and show it; when it ends, reload for the counts.
(() => {
  const box = document.getElementById("run-progress");
  if (!box) {
    return;
  }
  const bar = document.getElementById("run-bar");
  const label = document.getElementById("run-progress-text");
  const current = document.getElementById("run-current");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        bar.max = Math.max(data.total, 1);
        bar.value = data.done;
        label.textContent = data.label;
        current.textContent = data.current_label;
        if (data.state !== "running") {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // a lost connection: try again at the next tick
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
})();
