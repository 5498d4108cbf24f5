// The paychaos HTML report: draws each run's timeline from its JSON when the run is opened.
// x is the history's order (one slot per event); a lane per actor; bars from invoke to completion.
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  // Below a pixel per event only ``fit`` goes: an overview of a long history, hover for detail.
  const ROW = 24, AXIS = 18, MIN_STEP = 0.1, MAX_STEP = 80;

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function tip(node, text) {
    node.appendChild(el("title", {}, text));
    return node;
  }

  function describe(bar) {
    const when = bar.t1 === null ? `t=${bar.t0}s, never completed` : `t=${bar.t0}s → ${bar.t1}s`;
    return `${bar.lane}: ${bar.name} → ${bar.outcome}\n#${bar.start}–#${bar.end} (${when})\n` +
      JSON.stringify(bar.value, null, 1);
  }

  function draw(run) {
    const data = run.timelineData;
    const holder = run.querySelector(".timeline");
    holder.textContent = "";
    const step = run.timelineStep;
    const lanes = data.lanes;
    const row = Object.fromEntries(lanes.map((lane, i) => [lane, i]));
    const width = Math.max(1, data.span) * step + 8;
    const height = AXIS + lanes.length * ROW + 4;
    const x = (slot) => 4 + slot * step;

    const labels = document.createElement("div");
    labels.className = "lanes";
    labels.style.paddingTop = AXIS + "px";
    for (const lane of lanes) {
      const label = document.createElement("div");
      label.className = "lane-label";
      label.style.height = ROW + "px";
      label.textContent = lane;
      label.dataset.lane = lane;
      labels.appendChild(label);
    }
    const scroll = document.createElement("div");
    scroll.className = "scroll";
    const svg = el("svg", { width, height, class: "timeline-svg", role: "img" });
    svg.appendChild(el("title", {}, "timeline: one lane per actor, one slot per history event"));

    const every = Math.max(1, Math.ceil(40 / step / 5) * 5);
    for (let slot = 0; slot <= data.span; slot += every) {
      svg.appendChild(el("line", { x1: x(slot), x2: x(slot), y1: AXIS - 4, y2: height, class: "tick" }));
      svg.appendChild(el("text", { x: x(slot) + 2, y: AXIS - 6, class: "tick-label" }, "#" + slot));
    }
    lanes.forEach((lane, i) => {
      const y = AXIS + (i + 1) * ROW;
      svg.appendChild(el("line", { x1: 0, x2: width, y1: y, y2: y, class: "lane-line" }));
    });
    for (const w of data.windows) {
      const span = Math.max(step, x(w.end + 1) - x(w.start));
      svg.appendChild(tip(el("rect", {
        x: x(w.start), y: AXIS, width: span, height: lanes.length * ROW,
        class: "fault-window", "data-target": w.target,
      }), `fault on: ${w.label} (#${w.start}–#${w.end})`));
      const laneRow = row["service:" + w.target];
      if (laneRow !== undefined) {
        const y = AXIS + laneRow * ROW + 4;
        svg.appendChild(tip(el("rect", {
          x: x(w.start), y, width: span, height: ROW - 8, rx: 3, class: "fault-bar",
        }), `fault on: ${w.label}`));
        svg.appendChild(el("text", { x: x(w.start) + 3, y: y + ROW - 12, class: "fault-label" }, w.label));
      }
    }
    for (const bar of data.bars) {
      const y = AXIS + row[bar.lane] * ROW + 4;
      const span = Math.max(1, step - 2, x(bar.end + 1) - x(bar.start) - 2);
      const cls = "op op-" + bar.outcome + (bar.violations.length ? " violated" : "");
      const rect = tip(el("rect", {
        x: x(bar.start), y, width: span, height: ROW - 8, rx: 2, class: cls, "data-op": bar.op,
      }), describe(bar));
      svg.appendChild(rect);
      const fits = Math.floor((span - 6) / 6);  // characters of 10px text that fit the bar
      if (fits >= 3) {
        const label = bar.name.length <= fits ? bar.name : bar.name.slice(0, fits - 1) + "…";
        svg.appendChild(el("text", { x: x(bar.start) + 3, y: y + ROW - 12, class: "bar-label" }, label));
      }
      if (bar.violations.length) {
        const names = bar.violations.map((n) => data.violations[n].invariant).join(" ");
        svg.appendChild(tip(el("text", {
          x: x(bar.start) + span + 1, y: y + 6, class: "violation-marker", "data-op": bar.op,
          "data-invariants": names,
        }, "✗"), `evidence of ${names}`));
      }
    }
    scroll.appendChild(svg);
    holder.appendChild(labels);
    holder.appendChild(scroll);
    run.timelineDrawn = true;
  }

  function fitStep(run) {
    const holder = run.querySelector(".timeline");
    const labels = holder.querySelector(".lanes");
    const room = Math.max(100, holder.clientWidth - (labels ? labels.offsetWidth : 160) - 12);
    return Math.min(MAX_STEP, Math.max(MIN_STEP, room / Math.max(1, run.timelineData.span)));
  }

  function setup(run) {
    const source = run.querySelector("script.timeline-data");
    if (!source) return;
    run.timelineData = JSON.parse(source.textContent);
    // Short runs fill the width; long ones keep a readable slot and scroll (zoom to see all).
    run.timelineStep = Math.min(48, Math.max(8, fitStep(run)));
    const legend = document.getElementById("legend");
    const slot = run.querySelector(".legend-slot");
    if (legend && slot) slot.appendChild(legend.content.cloneNode(true));
    run.querySelectorAll("[data-zoom]").forEach((button) => {
      button.addEventListener("click", () => {
        const how = button.dataset.zoom;
        if (how === "in") run.timelineStep = Math.min(MAX_STEP, run.timelineStep * 1.5);
        else if (how === "out") run.timelineStep = Math.max(MIN_STEP, run.timelineStep / 1.5);
        else run.timelineStep = fitStep(run);
        draw(run);
      });
    });
    run.querySelectorAll("a.ev").forEach((link) => {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        if (!run.timelineDrawn) draw(run);
        run.querySelectorAll("svg .op.focus").forEach((n) => n.classList.remove("focus"));
        const target = run.querySelector(`svg .op[data-op="${link.dataset.op}"]`);
        if (target) {
          target.classList.add("focus");
          target.scrollIntoView({ block: "nearest", inline: "center" });
        }
      });
    });
    if (run.open) draw(run);
    run.addEventListener("toggle", () => { if (run.open && !run.timelineDrawn) draw(run); });
  }

  // A link to a folded run (the matrix's cells) unfolds it.
  function openFromHash() {
    const target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (target && target.matches("details.run")) target.open = true;
  }

  document.querySelectorAll("details.run").forEach(setup);
  window.addEventListener("hashchange", openFromHash);
  openFromHash();
})();
