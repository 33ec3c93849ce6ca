// Attendance pages. Without this file every button and form still works as a plain post (progressive
// enhancement); with it, a tap on the day view saves without a reload and the month grid takes keyboard
// entry, fills ranges in place, keeps its totals live and sends only the cells that changed.
"use strict";

(() => {
  // ---- Day view: one tap saves one mark as JSON --------------------------------------------------------
  const dayView = document.getElementById("att-day");
  if (dayView) {
    const markedEl = document.getElementById("att-marked");
    const holdersEl = document.getElementById("att-holders");

    const say = (form, text, ok) => {
      const msg = form.querySelector(".att-msg");
      msg.textContent = text;
      msg.classList.toggle("ok", ok);
      msg.classList.toggle("err", !ok);
      msg.setAttribute("role", ok ? "status" : "alert");
      if (ok) {
        window.clearTimeout(msg.timer);
        msg.timer = window.setTimeout(() => { msg.textContent = ""; }, 2500);
      }
    };

    const show = (form, answer) => {
      form.querySelectorAll(".att-btn").forEach((button) => {
        const on = button.value === (answer.mark || "");
        button.classList.toggle("selected", on);
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
      const current = form.closest(".att-row").querySelector("[data-current]");
      current.textContent = answer.label || dayView.dataset.none;
      current.className = `att-current att-is-${answer.mark || "none"}`;
      if (markedEl) markedEl.textContent = answer.marked;
      if (holdersEl) holdersEl.textContent = answer.holders;
    };

    dayView.addEventListener("submit", async (event) => {
      const form = event.target.closest("form.att-tap");
      if (!form || !window.fetch) return;
      event.preventDefault();
      const submitter = event.submitter;
      const body = {
        appointment_id: Number(form.elements.appointment_id.value),
        day: form.elements.day.value,
        mark: submitter ? submitter.value : "",
      };
      const buttons = form.querySelectorAll("button");
      buttons.forEach((b) => { b.disabled = true; });
      try {
        const response = await fetch(dayView.dataset.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": dayView.dataset.csrf },
          body: JSON.stringify(body),
        });
        const json = (response.headers.get("Content-Type") || "").includes("json") ? await response.json() : null;
        if (json && json.ok) {
          show(form, json);
          say(form, `${json.message} ✓`, true);
        } else if (json && json.error) {
          say(form, json.error.message, false);
        } else {
          say(form, dayView.dataset.failed, false);
        }
      } catch (error) {
        say(form, dayView.dataset.failed, false);
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
  }

  // ---- Month grid: keyboard entry, fill a range, live totals, send only what changed ------------------
  const table = document.getElementById("att-grid");
  if (!table || !table.classList.contains("editable")) return;
  const form = document.getElementById("grid-form");
  const keys = JSON.parse(table.dataset.keys);
  const marks = JSON.parse(table.dataset.symbols); // symbol -> mark
  const info = document.getElementById("cell-info");
  const dirtyEl = document.getElementById("grid-dirty");
  const rows = Array.from(table.tBodies[0].rows);
  const cellsOf = (row) => Array.from(row.querySelectorAll("td input"));
  const grid = rows.map(cellsOf);
  const working = Array.from(table.tHead.rows[0].querySelectorAll("th[data-w]")).map((th) => th.dataset.w === "1");
  const original = (input) => (input.dataset.o !== undefined ? input.dataset.o : input.defaultValue);
  let saving = false;
  // Phones show the number pad: 1–4 set a mark, 0 clears (the server still accepts any key of the list).
  grid.forEach((cells) => cells.forEach((input) => { input.inputMode = "numeric"; }));

  const position = (input) => {
    const r = rows.indexOf(input.closest("tr"));
    return [r, grid[r].indexOf(input)];
  };

  const symbolOf = (text) => {
    const key = (text || "").trim().toLowerCase();
    if (!key) return "";
    if (Object.prototype.hasOwnProperty.call(keys, key)) return keys[key];
    const last = key.slice(-1);
    return Object.prototype.hasOwnProperty.call(keys, last) ? keys[last] : null;
  };

  const tally = (row) => {
    const counts = { present: 0, half: 0, leave: 0, absent: 0 };
    row.querySelectorAll("td:not(.att-t)").forEach((td) => {
      if (td.classList.contains("out")) return; // outside the time on the post: earns nothing
      const input = td.querySelector("input");
      const mark = input ? marks[input.value] : undefined;
      if (mark) counts[mark] += 1;
    });
    Object.entries(counts).forEach(([mark, n]) => { row.querySelector(`[data-t="${mark}"]`).textContent = n; });
    row.querySelector('[data-t="duty"]').textContent = String(counts.present + counts.half / 2);
  };

  const refreshDirty = () => {
    let n = 0;
    grid.forEach((cells) => cells.forEach((input) => { if (input.value !== original(input)) n += 1; }));
    if (dirtyEl) dirtyEl.textContent = n ? dirtyEl.dataset.text.replace("{n}", n) : "";
    return n;
  };

  const set = (input, symbol) => {
    if (input.readOnly) return false;
    input.value = symbol;
    input.closest("td").classList.toggle("chg", symbol !== original(input));
    input.closest("td").classList.remove("bad");
    tally(input.closest("tr"));
    return true;
  };

  const move = (input, dr, dc) => {
    const [r, c] = position(input);
    const nr = Math.min(Math.max(r + dr, 0), grid.length - 1);
    const nc = Math.min(Math.max(c + dc, 0), grid[nr].length - 1);
    const next = grid[nr][nc];
    if (next) { next.focus(); next.select(); }
  };

  const flash = (input) => {
    const td = input.closest("td");
    td.classList.add("flash");
    window.setTimeout(() => td.classList.remove("flash"), 400);
  };

  table.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type === "checkbox" || event.isComposing) return;
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (moves[event.key]) {
      event.preventDefault();
      move(input, ...moves[event.key]);
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault(); // Enter never submits the grid by accident
      move(input, event.shiftKey ? -1 : 1, 0);
      return;
    }
    if (event.key === "Tab" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (["Delete", "Backspace", "0"].includes(event.key)) {
      event.preventDefault();
      if (set(input, "")) refreshDirty(); else flash(input);
      return;
    }
    if (event.key.length === 1) {
      event.preventDefault();
      const symbol = symbolOf(event.key);
      if (symbol === null || !set(input, symbol)) { flash(input); return; }
      refreshDirty();
      move(input, 0, 1);
    }
  });

  // Typed through an input method (假, 旷…) or pasted: keep a mark's symbol, refuse anything else.
  table.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type === "checkbox" || event.isComposing) return;
    const symbol = symbolOf(input.value);
    if (symbol === null) {
      input.value = input.dataset.last !== undefined ? input.dataset.last : original(input);
      flash(input);
      return;
    }
    set(input, symbol);
    refreshDirty();
  });

  table.addEventListener("compositionend", (event) => {
    event.target.dispatchEvent(new Event("input", { bubbles: true }));
  });

  table.addEventListener("focusin", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type === "checkbox") return;
    input.dataset.last = input.value;
    if (input.select) input.select();
    const [r, c] = position(input);
    const who = rows[r].querySelector(".att-name span").textContent;
    const day = table.tHead.rows[0].querySelectorAll("th[data-w]")[c].dataset.day;
    if (info) info.textContent = `${who} · ${day} · ${input.title || ""}`;
  });

  // Fill a range in place (the same button posts to the server when this file is not loaded).
  const fillButton = document.getElementById("fill-button");
  if (fillButton) {
    fillButton.addEventListener("click", (event) => {
      event.preventDefault();
      const value = (name) => form.elements[name];
      const from = Number(value("start").value);
      const to = Number(value("end").value);
      const result = document.getElementById("fill-result");
      if (from > to) { result.textContent = result.dataset.bad || "×"; return; }
      const chosenOnly = form.querySelector('input[name="who"]:checked').value === "chosen";
      const mark = value("mark").value;
      const symbol = mark ? Object.keys(marks).find((s) => marks[s] === mark) : "";
      const onlyWorking = value("only_working").checked;
      const onlyEmpty = value("only_empty").checked;
      let n = 0;
      rows.forEach((row, r) => {
        if (chosenOnly && !row.querySelector('.att-name input[type="checkbox"]').checked) return;
        grid[r].forEach((input, c) => {
          const day = c + 1;
          if (day < from || day > to || input.readOnly) return;
          if ((onlyWorking && !working[c]) || (onlyEmpty && input.value)) return;
          if (input.value !== symbol && set(input, symbol)) n += 1;
        });
      });
      refreshDirty();
      result.textContent = (result.dataset.done || "{n}").replace("{n}", n);
    });
  }

  // Save sends only the cells that changed (unchanged ones would be no-ops on the server anyway), packed in one
  // field, `cells`, as JSON: a form of 1 760 fields costs the server more to read than to save.
  const packed = document.createElement("input");
  packed.type = "hidden";
  packed.name = "cells";
  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.value !== "save") return;
    saving = true;
    const changed = {};
    grid.forEach((cells) => cells.forEach((input) => {
      if (input.value !== original(input)) changed[input.name] = input.value;
      input.disabled = true;
    }));
    packed.value = JSON.stringify(changed);
    form.appendChild(packed);
  });
  window.addEventListener("pageshow", () => {
    saving = false;
    packed.remove();
    grid.forEach((cells) => cells.forEach((input) => { input.disabled = false; }));
  });
  window.addEventListener("beforeunload", (event) => {
    if (!saving && refreshDirty()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  refreshDirty();
})();
