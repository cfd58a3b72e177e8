// console: formats like Node's util.inspect (as wrangler dev prints) and hands one
// finished line to the host logger, tagged with the Worker's name there.

function inspect(value, opts = {}) {
  const depth = opts.depth ?? 2;
  const seen = [];
  return inspectValue(value, depth, seen, 0);
}

function quoteString(s) {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  return q + s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(q === "'" ? /'/g : /"/g, "\\" + q) + q;
}

function inspectKey(key) {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : quoteString(key);
}

function inspectValue(v, depth, seen, indent) {
  switch (typeof v) {
    case "string": return indent === 0 ? v : quoteString(v);
    case "number": return Object.is(v, -0) ? "-0" : String(v);
    case "bigint": return `${v}n`;
    case "boolean": case "undefined": return String(v);
    case "symbol": return v.toString();
    case "function": {
      const name = v.name ? `: ${v.name}` : " (anonymous)";
      const isClass = /^class[\s{]/.test(Function.prototype.toString.call(v));
      return `[${isClass ? "class" : "Function"}${isClass ? (v.name ? " " + v.name : " (anonymous)") : name}]`;
    }
  }
  if (v === null) return "null";
  if (seen.includes(v)) return "[Circular *1]";
  if (v instanceof Error) {
    const stack = v.stack || `${v.name}: ${v.message}`;
    return indent === 0 ? stack : `[${stack}]`;
  }
  if (v instanceof Date) return isNaN(v) ? "Invalid Date" : v.toISOString();
  if (v instanceof RegExp) return String(v);
  if (v instanceof Promise) return "Promise { <pending> }";
  if (v instanceof WeakMap) return "WeakMap { <items unknown> }";
  if (v instanceof WeakSet) return "WeakSet { <items unknown> }";
  if (v instanceof ArrayBuffer) {
    const bytes = new Uint8Array(v);
    const hex = Array.from(bytes.subarray(0, 50), (b) => b.toString(16).padStart(2, "0")).join(" ");
    return `ArrayBuffer { [Uint8Contents]: <${hex}${bytes.length > 50 ? ` ... ${bytes.length - 50} more bytes` : ""}>, byteLength: ${v.byteLength} }`;
  }
  const nested = (x) => inspectValue(x, depth - 1, seen, indent + 2);
  const ctorName = (() => {
    try { const c = Object.getPrototypeOf(v)?.constructor; return typeof c === "function" ? c.name : null; } catch { return null; }
  })();
  if (depth < 0) return Array.isArray(v) ? "[Array]" : `[${ctorName || "Object"}]`;
  seen.push(v);
  try {
    let items, open, close, prefix = "";
    if (Array.isArray(v)) {
      items = [];
      const max = Math.min(v.length, 100);
      for (let i = 0; i < max; i++) items.push(i in v ? nested(v[i]) : "<1 empty item>");
      if (v.length > 100) items.push(`... ${v.length - 100} more items`);
      open = "["; close = "]";
    } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      items = Array.from(v.subarray(0, 100), (x) => nested(x));
      if (v.length > 100) items.push(`... ${v.length - 100} more items`);
      prefix = `${ctorName}(${v.length}) `; open = "["; close = "]";
    } else if (v instanceof Map) {
      items = [...v].map(([k, x]) => `${nested(k)} => ${nested(x)}`);
      prefix = `Map(${v.size}) `; open = "{"; close = "}";
    } else if (v instanceof Set) {
      items = [...v].map(nested);
      prefix = `Set(${v.size}) `; open = "{"; close = "}";
    } else {
      items = [];
      open = "{"; close = "}";
      if (ctorName && ctorName !== "Object") prefix = `${ctorName} `;
      else if (ctorName === null && Object.getPrototypeOf(v) === null) prefix = "[Object: null prototype] ";
      const tag = v[Symbol.toStringTag];
      if (typeof tag === "string" && tag !== ctorName && ctorName) prefix = `${ctorName} [${tag}] `;
      // Web API objects keep their state in internal slots: show their public getters.
      const proto = Object.getPrototypeOf(v);
      if (proto && proto !== Object.prototype && typeof tag === "string") {
        for (const key of Object.getOwnPropertyNames(proto)) {
          const d = Object.getOwnPropertyDescriptor(proto, key);
          if (d.get && key !== "constructor") {
            try { items.push(`${inspectKey(key)}: ${nested(v[key])}`); } catch { /* getter threw */ }
          }
        }
      }
    }
    for (const key of Reflect.ownKeys(v)) {
      if (Array.isArray(v) || ArrayBuffer.isView(v)) { if (typeof key === "string" && /^\d+$/.test(key) || key === "length") continue; }
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (!d.enumerable) continue;
      const shown = d.get ? (d.set ? "[Getter/Setter]" : "[Getter]") : nested(d.value);
      items.push(`${inspectKey(key)}: ${shown}`);
    }
    if (items.length === 0) return prefix + (open === "[" ? "[]" : "{}");
    const oneLine = `${prefix}${open} ${items.join(", ")} ${close}`;
    if (oneLine.length <= 72 && !oneLine.includes("\n")) return oneLine;
    const pad = " ".repeat(indent + 2);
    return `${prefix}${open}\n${pad}${items.join(`,\n${pad}`)}\n${" ".repeat(indent)}${close}`;
  } finally {
    seen.pop();
  }
}

function formatLogArgs(args) {
  if (args.length === 0) return "";
  let first = args[0];
  let rest = 1;
  let out;
  if (typeof first === "string" && first.includes("%")) {
    out = first.replace(/%[sdifjoOc%]/g, (m) => {
      if (m === "%%") return "%";
      if (rest >= args.length) return m;
      const a = args[rest++];
      switch (m) {
        case "%s": return typeof a === "string" ? a : typeof a === "bigint" ? `${a}n` : inspectValue(a, 1, [], 1);
        case "%d": case "%i": return typeof a === "bigint" ? `${a}n` : String(m === "%i" ? parseInt(a) : Number(a));
        case "%f": return String(parseFloat(a));
        case "%j": try { return JSONStringify(a); } catch { return "[Circular]"; }
        case "%o": case "%O": return inspectValue(a, 4, [], 1);
        case "%c": return "";
      }
      return m;
    });
  } else {
    out = inspectValue(first, 2, [], 0);
  }
  for (let i = rest; i < args.length; i++) out += " " + inspectValue(args[i], 2, [], 0);
  return out;
}

// Levels match Microsoft.Extensions.Logging.LogLevel.
const LOG = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

const consoleCounts = new Map();
const consoleTimers = new Map();
let groupIndent = "";

function emit(level, args) {
  const text = formatLogArgs(args);
  ops.log(level, groupIndent ? text.replace(/^/gm, groupIndent) : text);
}

const flintConsole = {
  log: (...a) => emit(LOG.info, a),
  info: (...a) => emit(LOG.info, a),
  debug: (...a) => emit(LOG.debug, a),
  trace: (...a) => emit(LOG.info, ["Trace:" + (a.length ? " " + formatLogArgs(a) : ""), "\n" + (new Error().stack || "").split("\n").slice(2).join("\n")]),
  warn: (...a) => emit(LOG.warn, a),
  error: (...a) => emit(LOG.error, a),
  dir: (v, options) => emit(LOG.info, [inspect(v, options)]),
  dirxml: (...a) => emit(LOG.info, a),
  table: (...a) => emit(LOG.info, a),
  assert: (cond, ...a) => { if (!cond) emit(LOG.error, ["Assertion failed" + (a.length ? ":" : ""), ...a]); },
  count: (label = "default") => { const n = (consoleCounts.get(label) || 0) + 1; consoleCounts.set(label, n); emit(LOG.info, [`${label}: ${n}`]); },
  countReset: (label = "default") => { consoleCounts.delete(label); },
  group: (...a) => { if (a.length) emit(LOG.info, a); groupIndent += "  "; },
  groupCollapsed: (...a) => { if (a.length) emit(LOG.info, a); groupIndent += "  "; },
  groupEnd: () => { groupIndent = groupIndent.slice(2); },
  time: (label = "default") => { consoleTimers.set(label, Date.now()); },
  timeLog: (label = "default", ...a) => { const t = consoleTimers.get(label); if (t !== undefined) emit(LOG.info, [`${label}: ${Date.now() - t}ms`, ...a]); },
  timeEnd: (label = "default") => { const t = consoleTimers.get(label); if (t !== undefined) { consoleTimers.delete(label); emit(LOG.info, [`${label}: ${Date.now() - t}ms`]); } },
  // V8's inspector-only members, which workerd's console has too (nothing to show without an inspector).
  clear: () => {},
  context: () => flintConsole,
  createTask: () => ({ run: (f) => f() }),
  profile: () => {},
  profileEnd: () => {},
  timeStamp: () => {},
};
Object.defineProperty(flintConsole, Symbol.toStringTag, { value: "console", configurable: true });
defineGlobal("console", flintConsole);
