// The reachability matrix: one table cell per (source, destination), grouped by namespace,
// with sticky labels, namespace headers that abbreviate instead of clipping (full name on
// hover), namespaces that fold into one row / column, and an Explain bar that stays in view.
// Beside it, when the kernel sends one, the diagram (diagram.js).
import { renderDiagram } from "./diagram.js";
import { matrix as WORDS } from "./words.json";
import { counted, wordsOf } from "./words.js";

const CELL_WIDTH = 26; // px, keep in step with npkit.css

export function namespaceOf(pod) {
  const i = pod.indexOf("/");
  return i < 0 ? "" : pod.slice(0, i);
}

export function nameOf(pod) {
  const i = pod.indexOf("/");
  return i < 0 ? pod : pod.slice(i + 1);
}

/** Consecutive pods of one namespace: [[namespace, [indexes]]]. */
export function groups(pods) {
  const out = [];
  pods.forEach((pod, i) => {
    const ns = namespaceOf(pod);
    if (out.length && out[out.length - 1][0] === ns) out[out.length - 1][1].push(i);
    else out.push([ns, [i]]);
  });
  return out;
}

/** `name` shortened to at most `max` characters: dash-separated initials, else a prefix and "…". */
export function abbreviate(name, max) {
  if (name.length <= max) return name;
  const parts = name.split(/[-.]/).filter(Boolean);
  if (parts.length > 1) {
    const initials = parts.map((p) => p[0]).join("-");
    if (initials.length <= max) return initials;
  }
  if (max <= 1) return name[0];
  return name.slice(0, max - 1) + "…";
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, val] of Object.entries(attrs)) {
    if (val === undefined || val === null || val === false) continue;
    if (k === "class") node.className = val;
    else if (k === "text") node.textContent = val;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), val);
    else node.setAttribute(k, val === true ? "" : String(val));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function summarise(cells, rows, cols, say) {
  // One cell standing for a block of cells (a folded namespace).
  let allowed = 0;
  let total = 0;
  let text = null;
  let same = true;
  let tone = null;
  for (const i of rows) {
    for (const j of cols) {
      const c = cells[i][j];
      if (c[1] === "self") continue;
      total += 1;
      if (c[1] === "allowed" || c[1] === "predicted") allowed += 1;
      if (text === null) { text = c[0]; tone = c[1]; } else if (c[0] !== text || c[1] !== tone) same = false;
    }
  }
  if (total === 0) return ["–", "self", "", ""];
  if (same) return [text, tone, "", ""];
  return [`${allowed}/${total}`, "mixed", say("mixed", { allowed, total }), ""];
}

function cellClass(tone, flags) {
  let cls = `npk-c npk-${tone}`;
  if (flags.includes("*")) cls += " npk-flip";
  if (flags.includes("!")) cls += " npk-wrong";
  if (flags.includes("@")) cls += " npk-sel";
  if (flags.includes("x")) cls += " npk-off";
  return cls;
}

function buildTable(model, state, send, say) {
  const pods = model.get("pods");
  const cells = model.get("cells");
  const folded = state.folded;
  const parts = groups(pods);
  const foldable = model.get("foldable");
  const foldHint = (what, isFolded) => (foldable ? say(isFolded ? "unfold" : "fold", { what }) : what);
  const table = el("table", { class: "npk-mx", role: "grid", "aria-label": model.get("caption") || say("table") });
  const thead = el("thead");
  const nsRow = el("tr", { class: "npk-ns-row" });
  const podRow = el("tr", { class: "npk-pod-row" });
  nsRow.append(el("th", { class: "npk-corner", rowspan: 2, title: say("axes_title") },
    el("div", { class: "npk-corner-label", text: model.get("corner") || "" }),
    el("div", { class: "npk-corner-axes", text: say("axes") })));
  // columns
  const columns = []; // [kind, namespace, indexes]
  for (const [ns, members] of parts) {
    const isFolded = folded.has(ns);
    const width = isFolded ? 1 : members.length;
    const maxChars = Math.max(1, Math.floor((width * CELL_WIDTH - 4) / 6.8));
    const shown = abbreviate(ns, maxChars);
    const th = el("th", {
      class: "npk-ns" + (foldable ? " npk-foldable" : ""), colspan: width, scope: "colgroup",
      title: foldHint(counted(say, "namespace_pods", members.length, { ns }), isFolded),
      "data-ns": ns, "aria-label": say("namespace", { ns }),
      onclick: foldable ? () => { toggle(state, ns); state.redraw(); } : undefined,
    }, el("span", { text: shown }));
    nsRow.append(th);
    if (isFolded) {
      podRow.append(el("th", { class: "npk-pod npk-folded", title: say("pods_of", { n: members.length, ns }) },
        el("span", { text: say("pods", { n: members.length }) })));
      columns.push(["ns", ns, members]);
    } else {
      members.forEach((j, k) => {
        podRow.append(el("th", { class: "npk-pod" + (k === 0 ? " npk-first" : ""), title: pods[j], scope: "col" },
          el("span", { text: nameOf(pods[j]) })));
        columns.push(["pod", ns, [j]]);
      });
    }
  }
  thead.append(nsRow, podRow);
  const tbody = el("tbody");
  for (const [ns, members] of parts) {
    const isFolded = folded.has(ns);
    const rowGroups = isFolded ? [members] : members.map((i) => [i]);
    tbody.append(el("tr", { class: "npk-group" },
      el("th", {
        class: "npk-src npk-group-label" + (foldable ? " npk-foldable" : ""), scope: "rowgroup", "data-ns": ns,
        title: foldHint(say("namespace", { ns }), isFolded),
        onclick: foldable ? () => { toggle(state, ns); state.redraw(); } : undefined,
      }, el("span", { text: (foldable ? (isFolded ? "▸ " : "▾ ") : "") + ns })),
      el("td", { class: "npk-group-fill", colspan: columns.length })));
    for (const rows of rowGroups) {
      const single = rows.length === 1 && !isFolded;
      const src = single ? pods[rows[0]] : null;
      const tr = el("tr");
      tr.append(el("th", { class: "npk-src", scope: "row", title: single ? src : say("pods_of", { n: rows.length, ns }) },
        el("span", { text: single ? nameOf(src) : say("pods", { n: rows.length }) })));
      for (const [kind, cns, cols] of columns) {
        let c;
        let dst = null;
        if (single && kind === "pod") {
          dst = pods[cols[0]];
          c = cells[rows[0]][cols[0]];
        } else {
          c = summarise(cells, rows, cols, say);
        }
        const [text, tone, tip, flags] = c;
        const from = single ? src : ns;
        const where = single && kind === "pod" ? `${src} → ${dst}` :
          kind === "pod" ? `${from} → ${pods[cols[0]]}` : say("to_namespace", { src: from, ns: cns });
        const what = tip || say(`tone_${tone}`);
        const td = el("td", {
          class: cellClass(tone, flags || ""), tabindex: flags && flags.includes("x") ? undefined : 0,
          title: single && kind === "pod" ? tip || say("cell", { where, what }) : say("block", { where, what }),
          "data-src": src || undefined, "data-dst": dst || undefined, text,
        });
        if (single && kind === "pod" && !(flags || "").includes("x")) {
          const go = () => send({ type: "cell", src, dst });
          td.addEventListener("click", go);
          td.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
        } else if (!single || kind !== "pod") {
          td.addEventListener("click", () => {
            if (isFolded) folded.delete(ns);
            if (kind === "ns") folded.delete(cns);
            state.redraw();
          });
        }
        tr.append(td);
      }
      tbody.append(tr);
    }
  }
  table.append(thead, tbody);
  const caption = model.get("caption");
  if (caption) table.append(el("caption", { text: caption }));
  return table;
}

function toggle(state, ns) {
  if (state.folded.has(ns)) state.folded.delete(ns);
  else state.folded.add(ns);
}

function buildToolbar(model, send, say) {
  const bar = el("div", { class: "npk-toolbar" });
  const probes = model.get("probes") || [];
  if (probes.length > 1) {
    const select = el("select", { class: "npk-probe", "aria-label": say("probe_label") });
    probes.forEach((p, i) => select.append(el("option", { value: i, text: p, selected: i === model.get("probe") })));
    select.addEventListener("change", () => send({ type: "probe", index: Number(select.value) }));
    bar.append(el("label", { class: "npk-field" }, el("span", { text: say("probe") }), select));
  }
  const ends = model.get("ends") || [];
  if (model.get("explain") && ends.length) {
    const pick = (name, value) => {
      const select = el("select", { class: `npk-${name}`, "aria-label": say(name) });
      for (const end of ends) select.append(el("option", { value: end, text: end, selected: end === value }));
      return select;
    };
    const src = pick("from", model.get("src"));
    const dst = pick("to", model.get("dst"));
    const button = el("button", { class: "npk-explain jupyter-button", type: "button", title: say("explain_title") },
      say("explain"));
    button.addEventListener("click", () => send({ type: "explain", src: src.value, dst: dst.value }));
    bar.append(el("label", { class: "npk-field" }, el("span", { text: say("from") }), src),
      el("label", { class: "npk-field" }, el("span", { text: say("to") }), dst), button);
  }
  const status = model.get("status");
  if (status) bar.append(el("span", { class: "npk-status" + (model.get("stale") ? " npk-stale-text" : ""), text: status }));
  return bar;
}

export function renderMatrix({ model, el: root }) {
  root.classList.add("npkit-matrix");
  const state = { folded: new Set(model.get("folded") || []), showDenied: false, focus: null };
  const send = (msg) => model.send(msg);
  const say = wordsOf(model, WORDS);
  const toolbarSlot = el("div", { class: "npk-toolbar-slot" });
  const tableWrap = el("div", { class: "npk-table-wrap" });
  const diagramWrap = el("div", { class: "npk-diagram-wrap" });
  const body = el("div", { class: "npk-body" }, tableWrap, diagramWrap);
  root.replaceChildren(toolbarSlot, body);

  state.redraw = () => {
    const pods = model.get("pods");
    const scroll = [tableWrap.scrollLeft, tableWrap.scrollTop];
    root.classList.toggle("npk-stale", !!model.get("stale"));
    toolbarSlot.replaceChildren(buildToolbar(model, send, say));
    tableWrap.replaceChildren(pods.length ? buildTable(model, state, send, say) :
      el("div", { class: "npk-empty", text: say("no_pods") }));
    [tableWrap.scrollLeft, tableWrap.scrollTop] = scroll;
    // The second header row sticks just under the first.
    const first = tableWrap.querySelector(".npk-ns-row");
    if (first) tableWrap.style.setProperty("--npk-head1", `${first.getBoundingClientRect().height}px`);
    const diagram = model.get("diagram");
    diagramWrap.hidden = !diagram || !diagram.nodes;
    if (!diagramWrap.hidden) renderDiagram(diagramWrap, diagram, model, state, send, say);
  };
  const names = ["pods", "cells", "corner", "caption", "probes", "probe", "ends", "src", "dst", "status", "stale",
    "diagram", "foldable", "explain"];
  let frame = null;
  const schedule = () => {
    if (frame !== null) return;
    performance.mark("npkit-received");
    frame = requestAnimationFrame(() => {
      frame = null;
      state.redraw();
      performance.mark("npkit-redrawn");
    });
  };
  for (const name of names) model.on(`change:${name}`, schedule);
  state.redraw();
  return () => {
    for (const name of names) model.off(`change:${name}`, schedule);
    if (frame !== null) cancelAnimationFrame(frame);
  };
}
