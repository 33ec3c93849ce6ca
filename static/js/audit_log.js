// The audit log's chain check in steps, with a progress bar (the form still works without JavaScript).
(() => {
  const form = document.getElementById("verify-form");
  if (!form || !window.fetch) return;
  const box = document.getElementById("verify-progress");
  const bar = document.getElementById("verify-bar");
  const count = document.getElementById("verify-count");
  const live = document.getElementById("verify-live");
  const token = form.querySelector("input[name=csrf_token]").value;

  function show(ok, text) {
    const old = document.getElementById("verify-result");
    if (old) old.remove();
    const div = document.createElement("div");
    div.id = "verify-result";
    div.className = "alert " + (ok ? "alert-success" : "alert-danger");
    div.textContent = text;
    live.replaceChildren(div);
  }

  async function step(start) {
    const body = new URLSearchParams({ start: String(start), csrf_token: token });
    const resp = await fetch(form.dataset.stepUrl, {
      method: "POST", body, headers: { "X-CSRFToken": token }, credentials: "same-origin",
    });
    if (!resp.ok) throw new Error("HTTP " + resp.status);
    return resp.json();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    box.hidden = false;
    let start = 1;
    try {
      for (;;) {
        const r = await step(start);
        bar.max = Math.max(1, r.total);
        bar.value = r.checked;
        count.textContent = `${r.checked} / ${r.total}`;
        if (r.done) {
          const checked = `${live.dataset.checked} ${r.checked}`;
          show(r.ok, r.ok ? `${live.dataset.ok} ${checked}`
            : `${live.dataset.broken} ${r.broken_seq} (${r.reason}). ${checked}`);
          break;
        }
        start = r.next;
      }
    } catch (err) {
      form.submit();  // fall back to the one-request check
    } finally {
      button.disabled = false;
    }
  });
})();
