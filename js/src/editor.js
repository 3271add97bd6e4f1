// The code editor: CodeMirror 6 with line numbers, YAML (or Calico selector) highlighting,
// no wrapping (YAML's indentation is what the learner sees), undo, and the kernel's
// diagnostics marked in the gutter with their message.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import {
  HighlightStyle, StreamLanguage, bracketMatching, indentOnInput, indentUnit, syntaxHighlighting,
} from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { Annotation, Compartment, EditorState } from "@codemirror/state";
import {
  EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers,
  placeholder,
} from "@codemirror/view";
import { tags as t } from "@lezer/highlight";
import { editor as WORDS } from "./words.json";
import { wordsOf } from "./words.js";

const fromKernel = Annotation.define();

// Colours come from JupyterLab's editor theme, so light and dark themes both read well.
const v = (name, fallback) => `var(--jp-mirror-editor-${name}-color, ${fallback})`;
const highlight = HighlightStyle.define([
  { tag: [t.definition(t.propertyName), t.propertyName], color: v("property", "#05a") },
  { tag: [t.string, t.special(t.string)], color: v("string", "#ba2121") },
  { tag: t.number, color: v("number", "#080") },
  { tag: [t.bool, t.null, t.atom], color: v("atom", "#88f") },
  { tag: [t.lineComment, t.comment], color: v("comment", "#408080"), fontStyle: "italic" },
  { tag: [t.keyword, t.operator], color: v("keyword", "green"), fontWeight: "bold" },
  { tag: [t.meta, t.typeName, t.labelName], color: v("meta", "#a2f") },
  { tag: [t.separator, t.punctuation, t.brace, t.squareBracket, t.paren], color: v("punctuation", "#05a") },
]);

// The Calico selector language: strings, operators and functions.
const calicoSelector = StreamLanguage.define({
  name: "calico-selector",
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^'[^']*'?/) || stream.match(/^"[^"]*"?/)) return "string";
    if (stream.match(/^(==|!=|&&|\|\||!)/)) return "operator";
    if (stream.match(/^(has|all|global|in|not|contains|starts\s+with|ends\s+with)\b/)) return "keyword";
    if (stream.match(/^[(){},]/)) return "punctuation";
    if (stream.match(/^[A-Za-z0-9_.\/-]+/)) return "propertyName";
    stream.next();
    return null;
  },
  languageData: { commentTokens: {} },
});

const theme = EditorView.theme({
  "&": {
    fontSize: "var(--jp-code-font-size, 13px)",
    border: "1px solid var(--jp-border-color1, #bdbdbd)",
    backgroundColor: "var(--jp-layout-color0, white)",
    color: "var(--jp-content-font-color1, #222)",
  },
  "&.cm-focused": { outline: "1px solid var(--jp-brand-color1, #1976d2)" },
  ".cm-scroller": { fontFamily: "var(--jp-code-font-family, monospace)", lineHeight: "1.4", overflow: "auto" },
  ".cm-content": { caretColor: "var(--jp-editor-cursor-color, var(--jp-ui-font-color0, black))" },
  ".cm-cursor": { borderLeftColor: "var(--jp-editor-cursor-color, var(--jp-ui-font-color0, black))" },
  ".cm-gutters": {
    backgroundColor: "var(--jp-layout-color2, #eee)", color: "var(--jp-ui-font-color2, #666)",
    borderRight: "1px solid var(--jp-border-color2, #e0e0e0)",
  },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--jp-brand-color3, #bbdefb) 18%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "color-mix(in srgb, var(--jp-brand-color3, #bbdefb) 35%, transparent)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "color-mix(in srgb, var(--jp-brand-color2, #64b5f6) 40%, transparent) !important",
  },
  ".cm-placeholder": { color: "var(--jp-ui-font-color3, #999)" },
  ".cm-tooltip": {
    backgroundColor: "var(--jp-layout-color1, white)", color: "var(--jp-ui-font-color1, #222)",
    border: "1px solid var(--jp-border-color1, #bdbdbd)",
  },
});

function diagnosticsFor(state, items, say) {
  const doc = state.doc;
  return (items || []).map((d) => {
    const n = Math.min(Math.max(d.line || 1, 1), doc.lines);
    const line = doc.line(n);
    const from = d.line ? line.from : 0;
    return {
      from, to: d.line ? line.to : Math.min(doc.length, line.to),
      severity: d.severity === "warning" ? "warning" : d.severity === "error" ? "error" : "info",
      message: d.message,
      source: d.line ? say("line", { n: d.line }) : undefined,
    };
  });
}

export function renderEditor({ model, el }) {
  el.classList.add("npkit-code-editor");
  const say = wordsOf(model, WORDS);
  const readOnly = new Compartment();
  const languageSlot = new Compartment();
  const languageOf = () => (model.get("language") === "calico-selector" ? calicoSelector : yaml());
  let timer = null;
  let pending = false;
  const flush = () => {
    performance.mark("npkit-sent"); // the end of the debounce: latency is measured from here
    timer = null;
    pending = false;
    model.set("value", view.state.doc.toString());
    model.save_changes();
  };
  const rows = model.get("rows") || 12;
  const view = new EditorView({
    parent: el,
    state: EditorState.create({
      doc: model.get("value"),
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(), indentOnInput(),
        bracketMatching(), highlightActiveLine(), indentUnit.of("  "), EditorState.tabSize.of(2),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        languageSlot.of(languageOf()), syntaxHighlighting(highlight), lintGutter(), theme,
        placeholder(model.get("placeholder") || ""),
        readOnly.of([EditorState.readOnly.of(model.get("read_only")), EditorView.editable.of(!model.get("read_only"))]),
        EditorView.contentAttributes.of({ "aria-label": model.get("label") || "editor", spellcheck: "false" }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || update.transactions.some((tr) => tr.annotation(fromKernel))) return;
          pending = true;
          clearTimeout(timer);
          timer = setTimeout(flush, model.get("debounce_ms"));
        }),
      ],
    }),
  });
  view.dom.style.minHeight = `${rows * 1.4 + 0.6}em`;
  view.dom.style.maxHeight = `${Math.max(rows, 30) * 1.4}em`;

  const showDiagnostics = () => {
    view.dispatch(setDiagnostics(view.state, diagnosticsFor(view.state, model.get("diagnostics"), say)));
  };
  const onValue = () => {
    const text = model.get("value");
    const now = view.state.doc.toString();
    if (pending || text === now) return; // the learner is typing: their text wins
    view.dispatch({ changes: { from: 0, to: now.length, insert: text }, annotations: fromKernel.of(true) });
    showDiagnostics();
  };
  const onReadOnly = () => {
    const ro = model.get("read_only");
    view.dispatch({ effects: readOnly.reconfigure([EditorState.readOnly.of(ro), EditorView.editable.of(!ro)]) });
  };
  const onLanguage = () => view.dispatch({ effects: languageSlot.reconfigure(languageOf()) });
  model.on("change:value", onValue);
  model.on("change:diagnostics", showDiagnostics);
  model.on("change:read_only", onReadOnly);
  model.on("change:language", onLanguage);
  showDiagnostics();
  return () => {
    if (pending) flush();
    model.off("change:value", onValue);
    model.off("change:diagnostics", showDiagnostics);
    model.off("change:read_only", onReadOnly);
    model.off("change:language", onLanguage);
    view.destroy();
  };
}
