// The diagram beside the matrix: namespaces as boxes, pods as nodes, one arrow per allowed
// connection on the chosen probe (denied ones on request). Click an arrow for its
// explanation; click a pod to see only its arrows. The layout comes from the kernel
// (npkit.widgets.diagram), so it is the same in tests and in the browser.
import { counted } from "./words.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function curve(a, b, r) {
  // A slightly bent path from a to b, ending at b's rim; a → b and b → a bend apart.
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const bend = Math.min(28, len * 0.18);
  const cx = (a.x + b.x) / 2 - uy * bend;
  const cy = (a.y + b.y) / 2 + ux * bend;
  const ex = cx - b.x;
  const ey = cy - b.y;
  const el = Math.hypot(ex, ey) || 1;
  const sx = cx - a.x;
  const sy = cy - a.y;
  const sl = Math.hypot(sx, sy) || 1;
  const start = [a.x + (sx / sl) * r, a.y + (sy / sl) * r];
  const end = [b.x + (ex / el) * (r + 2), b.y + (ey / el) * (r + 2)];
  return `M${start[0].toFixed(1)},${start[1].toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${end[0].toFixed(1)},${end[1].toFixed(1)}`;
}

export function renderDiagram(wrap, diagram, model, state, send, say) {
  const { width, height, boxes, nodes, edges, radius } = diagram;
  const r = radius || 8;
  const controls = document.createElement("div");
  controls.className = "npk-diagram-controls";
  const denied = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = state.showDenied;
  box.addEventListener("change", () => { state.showDenied = box.checked; state.redraw(); });
  denied.append(box, ` ${say("show_denied")}`);
  const title = document.createElement("span");
  title.className = "npk-diagram-title";
  const shown = edges.filter((e) => e.allowed).length;
  title.textContent = `${counted(say, "arrows", shown)} · ` +
    (state.focus !== null ? say("only", { pod: nodes[state.focus].pod }) : say("click_arrow"));
  controls.append(title, denied);

  const root = svg("svg", {
    class: "npk-diagram", viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": say("diagram", { n: nodes.length, allowed: shown }),
  });
  const defs = svg("defs");
  for (const kind of ["allowed", "denied", "flip", "sel"]) {
    const marker = svg("marker", {
      id: `npk-arrow-${kind}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: "auto-start-reverse", class: `npk-marker-${kind}`,
    });
    marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
    defs.append(marker);
  }
  root.append(defs);
  for (const b of boxes) {
    const g = svg("g", { class: "npk-box" });
    g.append(svg("title", {}, say("namespace", { ns: b.ns })));
    g.append(svg("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: 6 }));
    g.append(svg("text", { x: b.x + 6, y: b.y + 13, class: "npk-box-label" }, b.label));
    root.append(g);
  }
  const selected = model.get("selected") || [];
  const edgeLayer = svg("g", { class: "npk-edges" });
  // Changed arrows last, so they are drawn on top; a connection that became denied shows as changed.
  const ordered = [...edges.filter((e) => !e.flipped), ...edges.filter((e) => e.flipped)];
  const many = edges.filter((e) => e.allowed).length > 60;
  edgeLayer.classList.toggle("npk-many", many);
  for (const e of ordered) {
    if (!e.allowed && !e.flipped && !state.showDenied) continue;
    if (state.focus !== null && e.s !== state.focus && e.t !== state.focus) continue;
    const a = nodes[e.s];
    const b = nodes[e.t];
    const isSel = selected.length === 2 && selected[0] === a.pod && selected[1] === b.pod;
    const kind = isSel ? "sel" : e.flipped ? "flip" : e.allowed ? "allowed" : "denied";
    const dashed = !e.allowed ? " npk-edge-dashed" : "";
    const d = curve(a, b, r);
    const g = svg("g", {
      class: `npk-edge npk-edge-${kind}${dashed}`, "data-src": a.pod, "data-dst": b.pod, tabindex: 0, role: "button",
      "aria-label": say(e.allowed ? "edge_allowed" : "edge_denied", { src: a.pod, dst: b.pod }),
    });
    const tip = `edge_tip_${e.allowed ? "allowed" : "denied"}${e.flipped ? "_changed" : ""}`;
    g.append(svg("title", {}, say(tip, { src: a.pod, dst: b.pod })));
    g.append(svg("path", { d, class: "npk-hit" }));
    g.append(svg("path", { d, class: "npk-line", "marker-end": `url(#npk-arrow-${kind})` }));
    const go = () => send({ type: "cell", src: a.pod, dst: b.pod });
    g.addEventListener("click", go);
    g.addEventListener("keydown", (ev) => { if (ev.key === "Enter") go(); });
    edgeLayer.append(g);
  }
  root.append(edgeLayer);
  nodes.forEach((n, i) => {
    const g = svg("g", { class: "npk-node" + (state.focus === i ? " npk-focus" : ""), "data-pod": n.pod, tabindex: 0 });
    g.append(svg("title", {}, say("node", { pod: n.pod })));
    g.append(svg("circle", { cx: n.x, cy: n.y, r }));
    g.append(svg("text", { x: n.x, y: n.y + r + 11, class: "npk-node-label" }, n.label));
    g.addEventListener("click", () => { state.focus = state.focus === i ? null : i; state.redraw(); });
    root.append(g);
  });
  wrap.replaceChildren(controls, root);
}
