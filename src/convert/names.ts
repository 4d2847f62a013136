/**
 * Turning Caffe layer names (any text at all) into `torch.nn.ModuleDict` keys that are also
 * plain Python identifiers, so `modules[key]` and `modules.key` both work.
 */

/** Python 3 hard keywords (`keyword.kwlist`); an identifier equal to one is a syntax error. */
const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
  "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
  "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
  "yield",
]);

/**
 * Public attributes of `torch.nn.ModuleDict` instances in PyTorch 1.13 (`dir(nn.ModuleDict())`)
 * plus those later 2.x releases added. `nn.Module.add_module` raises
 * "attribute '…' already exists" for a key that `hasattr` finds, so a key must avoid them all.
 * Private attributes (`_modules`, …) are avoided by never starting a key with "_".
 * A test compares this list with the installed PyTorch.
 */
const MODULE_DICT_ATTRIBUTES: ReadonlySet<string> = new Set([
  "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children",
  "clear", "compile", "cpu", "cuda", "double", "dump_patches", "eval", "extra_repr", "float",
  "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule", "half", "ipu",
  "items", "keys", "load_state_dict", "modules", "mtia", "named_buffers", "named_children",
  "named_modules", "named_parameters", "parameters", "pop", "register_backward_hook",
  "register_buffer", "register_forward_hook", "register_forward_pre_hook",
  "register_full_backward_hook", "register_full_backward_pre_hook",
  "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook", "register_module",
  "register_parameter", "register_state_dict_post_hook", "register_state_dict_pre_hook",
  "requires_grad_", "set_extra_state", "set_submodule", "share_memory", "state_dict", "to",
  "to_empty", "train", "training", "type", "update", "values", "xpu", "zero_grad",
]);

/** What a key starting with a digit or "_", or an empty one, gets in front. */
const PREFIX = "layer";

/** True when `key` may not be used as-is (keyword or ModuleDict attribute). */
export function isReservedKey(key: string): boolean {
  return PYTHON_KEYWORDS.has(key) || MODULE_DICT_ATTRIBUTES.has(key);
}

/** True when `key` is an ASCII identifier starting with a letter and not reserved. */
export function isSafeKey(key: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(key) && !isReservedKey(key);
}

/**
 * The safe key for one layer name, before duplicates are resolved.
 *
 * - A name that is already a safe key is kept.
 * - ASCII letters, digits and "_" are kept; any other ASCII character (`/`, `.`, `-`, quotes,
 *   control characters…) becomes "_". ModuleDict refuses "." in keys, so it must go anyway.
 * - A non-ASCII code point becomes `u` + its hex (at least 4 digits), set off by "_" from its
 *   neighbours: `名前` → `u540d_u524d`. Non-ASCII identifiers are legal Python but NFKC-normalised
 *   on attribute access, so `modules.ﬁ` would look up "fi"; ASCII avoids that.
 * - Empty, or starting with a digit or "_" (private attributes such as `_modules`): `layer_` is
 *   put in front (`1x` → `layer_1x`, `` → `layer`).
 * - A keyword or ModuleDict attribute gets "_" appended (`class` → `class_`).
 */
export function sanitiseKey(name: string): string {
  if (isSafeKey(name)) return name;
  const pieces: { text: string; escape: boolean }[] = [];
  for (const ch of name) {
    const cp = ch.codePointAt(0) ?? 0;
    if (/^[A-Za-z0-9_]$/.test(ch)) pieces.push({ text: ch, escape: false });
    else if (cp < 0x80) pieces.push({ text: "_", escape: false });
    else pieces.push({ text: `u${cp.toString(16).padStart(4, "0")}`, escape: true });
  }
  let out = "";
  pieces.forEach((piece, i) => {
    const prev = pieces[i - 1];
    const needsSeparator =
      prev !== undefined && (piece.escape || prev.escape) && piece.text !== "_" && prev.text !== "_";
    out += (needsSeparator ? "_" : "") + piece.text;
  });
  if (out === "") out = PREFIX;
  else if (!/^[A-Za-z]/.test(out)) out = `${PREFIX}_${out}`;
  if (isReservedKey(out)) out += "_";
  return out;
}

/**
 * Unique safe keys for `names`, in the same order, deterministically.
 *
 * First pass: every name that is already a safe key keeps it (its first occurrence does), so a
 * layer literally called `a_b` is not renamed because `a/b` came earlier. Second pass, in order:
 * the rest take their sanitised key, or the first free `<key>_2`, `<key>_3`, ….
 */
export function assignKeys(names: readonly string[], reserved: ReadonlySet<string> = new Set()): string[] {
  const keys: (string | null)[] = names.map(() => null);
  const taken = new Set<string>(reserved);
  names.forEach((name, i) => {
    if (isSafeKey(name) && !taken.has(name)) {
      keys[i] = name;
      taken.add(name);
    }
  });
  names.forEach((name, i) => {
    if (keys[i] !== null) return;
    const base = sanitiseKey(name);
    let candidate = base;
    for (let n = 2; taken.has(candidate) || isReservedKey(candidate); n++) candidate = `${base}_${n}`;
    keys[i] = candidate;
    taken.add(candidate);
  });
  return keys.map((k) => k ?? PREFIX);
}
