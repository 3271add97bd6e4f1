// What the widgets say in the browser. The English is words.json (the same table as
// npkit/widgets/frontend.py's, a test checks); in another language the kernel sends the
// translations in the model's `_npkit_words`, so a saved notebook keeps its language.
export function wordsOf(model, defaults) {
  const sent = (model && model.get("_npkit_words")) || {};
  return (key, vars = {}) => {
    const text = sent[key] ?? defaults[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  };
}

/** The singular or plural message of `key` (`key_one` / `key_other`) for `n`. */
export function counted(say, key, n, vars = {}) {
  return say(n === 1 ? `${key}_one` : `${key}_other`, { n, ...vars });
}
