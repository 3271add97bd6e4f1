// npkit's widget library: one module for every npkit widget, chosen by the model's `_kind`.
// Loaded by loader.js from the kernel's library model (so it is sent once per page).
import css from "./npkit.css";
import { renderEditor } from "./editor.js";
import { renderMatrix } from "./matrix.js";

const STYLE_ID = "npkit-style";

function addStyle() {
  let style = document.getElementById(STYLE_ID);
  if (!style) {
    style = document.createElement("style");
    style.id = STYLE_ID;
    document.head.appendChild(style);
  }
  if (style.textContent !== css) style.textContent = css;
}

const RENDERERS = { editor: renderEditor, matrix: renderMatrix };

export function render({ model, el }) {
  addStyle();
  const kind = model.get("_kind");
  const renderer = RENDERERS[kind];
  if (!renderer) {
    el.textContent = `npkit: no widget of kind ${kind}`;
    return undefined;
  }
  el.classList.add("npkit-widget");
  return renderer({ model, el });
}
