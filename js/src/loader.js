// The `_esm` of every npkit widget: small, because JupyterLab saves it with each widget.
//
// It does three things:
// 1. A widget whose kernel is gone (a notebook reopened from disk, or a restarted kernel)
//    shows "run this cell to continue" instead of a dead copy.
// 2. A live widget loads the real code (CodeMirror, matrix, diagram) once per page from the
//    kernel's library model (npkit.widgets.anywidget), cached by its digest.
// 3. When the notebook is saved, the state of the widgets its outputs show is written into
//    the notebook (what JupyterLab's "save widget state" setting does, limited to displayed
//    widgets), so a reopened notebook finds its widgets' models instead of
//    "Error displaying widget: model not found".
// What it says is in the widget's language (words.js).
import { loader as WORDS } from "./words.json";
import { wordsOf } from "./words.js";

const STYLE_ID = "npkit-loader-style";
const STYLE = `
.npkit-saved > :not(.npkit-kind-guard) { display: none !important; }
.npkit-kind-guard.npkit-live { display: none !important; }
.npkit-saved.jupyter-widgets-disconnected::before,
.npkit-saved .jupyter-widgets-disconnected::before { display: none !important; }
.npkit-placeholder { padding: 6px 10px; border-left: 4px solid var(--jp-brand-color1, #1976d2);
  background: var(--jp-layout-color2, #eee); color: var(--jp-ui-font-color1, #222);
  font-family: var(--jp-ui-font-family, sans-serif); font-size: var(--jp-ui-font-size1, 13px); }
`;
const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
const WIDGET_STATE = "application/vnd.jupyter.widget-state+json";

function addStyle() {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = STYLE;
  document.head.appendChild(style);
}

async function rawModel(model) {
  const id = model.get("_npkit_id");
  if (!id || !model.widget_manager || !model.widget_manager.get_model) return null;
  try {
    return await model.widget_manager.get_model(id);
  } catch {
    return null;
  }
}

function placeholder(el, restarted, say) {
  addStyle();
  const frame = el.closest(".npkit-view");
  if (frame) frame.classList.add("npkit-saved");
  el.classList.remove("npkit-live");
  el.replaceChildren();
  const note = document.createElement("div");
  note.className = "npkit-placeholder";
  note.textContent = say(restarted ? "restarted" : "saved");
  el.appendChild(note);
}

// -- saving the displayed widgets' state with the notebook -------------------------------------
const hooked = new WeakSet();

function displayedIds(notebook) {
  const ids = [];
  for (const cell of notebook.cells) {
    const outputs = cell.outputs;
    if (!outputs) continue;
    for (let i = 0; i < outputs.length; i++) {
      const data = outputs.get(i).data || {};
      const view = data[WIDGET_VIEW];
      if (view && view.model_id) ids.push(view.model_id);
    }
  }
  return ids;
}

function reachable(state, roots) {
  const keep = new Set();
  const todo = roots.filter((id) => id in state);
  while (todo.length) {
    const id = todo.pop();
    if (keep.has(id)) continue;
    keep.add(id);
    JSON.stringify(state[id].state, (_key, value) => {
      if (typeof value === "string" && value.startsWith("IPY_MODEL_")) {
        const ref = value.slice(10);
        if (ref in state && !keep.has(ref)) todo.push(ref);
      }
      return value;
    });
  }
  return keep;
}

function hookSave(manager) {
  const context = manager && manager.context;
  if (!context || !context.saveState || hooked.has(manager)) return;
  hooked.add(manager);
  context.saveState.connect((_sender, phase) => {
    if (phase !== "started" || !context.model || !context.model.setMetadata) return;
    try {
      const all = manager.get_state_sync({ drop_defaults: true });
      const keep = reachable(all.state, displayedIds(context.model));
      const state = {};
      for (const id of keep) state[id] = all.state[id];
      context.model.setMetadata("widgets", { [WIDGET_STATE]: { ...all, state } });
    } catch (error) {
      console.warn("[npkit] could not save the widgets' state with the notebook", error);
    }
  });
}

// -- the library --------------------------------------------------------------------------------
const LIBRARIES = (globalThis.__npkit_libraries ??= new Map());

async function library(model) {
  const digest = model.get("_npkit_digest");
  if (!LIBRARIES.has(digest)) {
    LIBRARIES.set(digest, (async () => {
      const lib = await model.widget_manager.get_model(model.get("_npkit_lib"));
      const url = URL.createObjectURL(new Blob([lib.get("code")], { type: "text/javascript" }));
      try {
        return await import(/* webpackIgnore: true */ url);
      } finally {
        URL.revokeObjectURL(url);
      }
    })());
  }
  return LIBRARIES.get(digest);
}

export default {
  async render({ model, el }) {
    el.classList.add("npkit-widget", `npkit-kind-${model.get("_kind")}`);
    const say = wordsOf(model, WORDS);
    const raw = await rawModel(model);
    hookSave(model.widget_manager);
    if (raw && !raw.comm_live) {
      placeholder(el, false, say);
      return;
    }
    const onLive = () => {
      if (raw && !raw.comm_live) placeholder(el, true, say);
    };
    raw?.on("comm_live_update", onLive);
    if (model.get("_kind") === "guard") {  // a live guard is invisible and needs no library
      addStyle();
      el.classList.add("npkit-live");
      return () => raw?.off("comm_live_update", onLive);
    }
    let cleanup;
    try {
      const lib = await library(model);
      cleanup = await lib.render({ model, el });
    } catch (error) {
      console.error("[npkit] widget failed to load", error);
      el.textContent = say("failed", { error });
    }
    return () => {
      raw?.off("comm_live_update", onLive);
      if (typeof cleanup === "function") cleanup();
    };
  },
};
