// HTMLRewriter: Cloudflare's streaming HTML rewriter, written here after lol-html (the Rust
// library workerd runs) so Workers see what they see on Cloudflare: the same selectors and
// errors, text chunks split where lol-html splits them (at every `<`, at input chunk ends),
// tags re-serialized only when changed (untouched bytes pass through as they came), the same
// content-model switches (script, style, title, textarea, plaintext, …) and namespace tracking
// (svg, math and their integration points), and lol-html's stack of open elements (an end tag
// closes everything opened after its element; nothing is closed implicitly).
//
// It runs inside the isolate on bytes: handlers are plain calls, an async handler is awaited
// before the rewriter goes on, and `transform()` pulls one input chunk per output chunk, so a
// page of any size is rewritten in constant memory with the reader's backpressure.

// ---- errors ---------------------------------------------------------------------------------
const HR_STALE = "This content token is no longer valid. Content tokens are only valid during the execution of the relevant content handler.";
function hrParserError(message) { return new TypeError(`Parser error: ${message}`); }

// ---- selectors (the subset lol-html supports) --------------------------------------------------
// A selector list compiles to [complex], a complex to { parts: [compound], combinators: [" " | ">"] }
// read left to right; a compound is { tag, id, classes, attrs, nth, not }.

const SEL_WS = /[ \t\n\r\f]/;

class SelectorParser {
  constructor(text) { this.s = text; this.i = 0; }
  fail(msg) { throw hrParserError(msg); }
  peek(o = 0) { return this.s[this.i + o]; }
  eof() { return this.i >= this.s.length; }
  skipWs() { let n = 0; while (!this.eof() && SEL_WS.test(this.s[this.i])) { this.i++; n++; } return n > 0; }

  static isNameStart(c) { return c !== undefined && (/[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80 || c === "\\"); }
  static isName(c) { return c !== undefined && (/[A-Za-z0-9_-]/.test(c) || c.charCodeAt(0) >= 0x80 || c === "\\"); }

  /** A CSS identifier (with escapes), or null when none starts here. */
  ident() {
    const start = this.i;
    let c = this.peek();
    if (c === "-") { const d = this.peek(1); if (!(SelectorParser.isNameStart(d) || d === "-")) return null; }
    else if (!SelectorParser.isNameStart(c)) return null;
    let out = "";
    while (!this.eof() && SelectorParser.isName(this.peek())) {
      c = this.s[this.i];
      if (c === "\\") {
        this.i++;
        if (this.eof()) { out += "\ufffd"; break; }
        const m = /^[0-9a-fA-F]{1,6}/.exec(this.s.slice(this.i));
        if (m) {
          this.i += m[0].length;
          const cp = parseInt(m[0], 16);
          out += cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? "\ufffd" : String.fromCodePoint(cp);
          if (!this.eof() && SEL_WS.test(this.peek())) this.i++;
        } else { out += this.s[this.i++]; }
      } else { out += c; this.i++; }
    }
    return this.i > start ? out : null;
  }

  string() {
    const q = this.s[this.i++];
    let out = "";
    while (true) {
      if (this.eof()) return out; // an unclosed string ends with the selector, as in CSS
      const c = this.s[this.i++];
      if (c === q) return out;
      if (c === "\\") { if (!this.eof()) out += this.s[this.i++]; continue; }
      if (c === "\n") this.fail("Unexpected token in the attribute selector.");
      out += c;
    }
  }

  parseList() {
    const list = [];
    this.skipWs();
    if (this.eof()) this.fail("The selector is empty.");
    while (true) {
      list.push(this.parseComplex());
      if (this.eof()) break;
      if (this.peek() === ",") { this.i++; this.skipWs(); if (this.eof()) this.fail("The selector is empty."); continue; }
      this.fail("Unexpected token in selector.");
    }
    return list;
  }

  parseComplex() {
    const parts = [this.parseCompound(false)];
    const combinators = [];
    while (true) {
      const ws = this.skipWs();
      if (this.eof() || this.peek() === ",") break;
      const c = this.peek();
      let comb = " ";
      if (c === ">") { comb = ">"; this.i++; this.skipWs(); }
      else if (c === "+" || c === "~") this.fail(`Unsupported combinator \`${c}\` in selector.`);
      else if (!ws) this.fail("Unexpected token in selector.");
      if (this.eof() || this.peek() === ",") this.fail("Dangling combinator in selector.");
      combinators.push(comb);
      parts.push(this.parseCompound(false));
    }
    return { parts, combinators };
  }

  parseCompound(inNot) {
    const comp = { tag: null, id: null, classes: [], attrs: [], nth: [], not: [] };
    let any = false;
    // type or universal, with an optional namespace prefix (only `*|` is accepted)
    const save = this.i;
    let name = null, star = false;
    if (this.peek() === "*") { this.i++; star = true; } else name = this.ident();
    if ((name !== null || star) && this.peek() === "|" && this.peek(1) !== "=") {
      this.i++;
      if (!star) this.fail("Selectors with explicit namespaces are not supported.");
      star = false; name = null;
      if (this.peek() === "*") { this.i++; star = true; } else name = this.ident();
      if (name === null && !star) this.fail("Unexpected token in selector.");
    } else if (name === null && !star) this.i = save;
    if (name !== null) { comp.tag = name.toLowerCase(); any = true; }
    if (star) any = true;
    while (!this.eof()) {
      const c = this.peek();
      if (c === "#") {
        this.i++;
        const id = this.ident();
        if (id === null) { if (!any && this.eof()) this.fail("The selector is empty."); this.fail("Unexpected token in selector."); }
        comp.id = comp.id === null ? id : comp.id + "\0" + id; // two ids never match
        any = true;
      } else if (c === ".") {
        this.i++;
        const cls = this.ident();
        if (cls === null) this.fail("Invalid or unescaped class name in selector.");
        comp.classes.push(cls);
        any = true;
      } else if (c === "[") {
        this.i++;
        comp.attrs.push(this.parseAttribute());
        any = true;
      } else if (c === ":") {
        this.i++;
        if (this.peek() === ":") this.fail("Unsupported pseudo-class or pseudo-element in selector.");
        const pseudo = this.ident();
        if (pseudo === null) this.fail("Unsupported pseudo-class or pseudo-element in selector.");
        const p = pseudo.toLowerCase();
        if (this.peek() === "(") {
          this.i++;
          if (p === "nth-child" || p === "nth-of-type") {
            this.skipWs();
            const nth = this.parseNth();
            this.skipWs();
            if (this.peek() !== ")") this.fail(this.eof() ? "Unexpected end of selector." : "Unexpected token in selector.");
            this.i++;
            comp.nth.push({ ofType: p === "nth-of-type", a: nth[0], b: nth[1] });
          } else if (p === "not") {
            if (inNot) this.fail("Nested negation in selector.");
            this.skipWs();
            const inner = this.parseCompound(true);
            this.skipWs();
            if (this.peek() !== ")") this.fail("Unsupported pseudo-class or pseudo-element in selector.");
            this.i++;
            comp.not.push(inner);
          } else this.fail("Unsupported pseudo-class or pseudo-element in selector.");
        } else if (p === "first-child") comp.nth.push({ ofType: false, a: 0, b: 1 });
        else if (p === "first-of-type") comp.nth.push({ ofType: true, a: 0, b: 1 });
        else this.fail("Unsupported pseudo-class or pseudo-element in selector.");
        any = true;
      } else break;
    }
    if (!any) {
      if (this.eof()) this.fail(inNot ? "Unexpected end of selector." : "The selector is empty.");
      if (this.peek() === ">" || this.peek() === ",") this.fail(inNot ? "Unsupported pseudo-class or pseudo-element in selector." : "The selector is empty.");
      this.fail("Unexpected token in selector.");
    }
    return comp;
  }

  parseAttribute() {
    this.skipWs();
    if (this.eof()) this.fail("Unexpected end of selector.");
    let name = this.ident();
    if (name === null) {
      if (this.peek() === "*" || this.peek() === "|") this.fail("Selectors with explicit namespaces are not supported.");
      this.fail("Missing attribute name in attribute selector.");
    }
    name = name.toLowerCase();
    this.skipWs();
    if (this.eof()) this.fail("Unexpected end of selector.");
    let c = this.peek();
    if (c === "]") { this.i++; return { name, op: "", value: "", ci: false }; }
    let op;
    if (c === "=") { op = "="; this.i++; }
    else if ("~|^$*".includes(c) && this.peek(1) === "=") { op = c + "="; this.i += 2; }
    else this.fail("Unexpected token in the attribute selector.");
    this.skipWs();
    if (this.eof()) this.fail("Unexpected end of selector.");
    c = this.peek();
    let value;
    if (c === "\"" || c === "'") value = this.string();
    else { value = this.ident(); if (value === null) this.fail("Unexpected token in the attribute selector."); }
    this.skipWs();
    let ci = false;
    if (!this.eof() && /[iIsS]/.test(this.peek()) && !SelectorParser.isName(this.peek(1))) { ci = this.peek().toLowerCase() === "i"; this.i++; this.skipWs(); }
    if (this.eof()) this.fail("Unexpected end of selector.");
    if (this.peek() !== "]") this.fail("Unexpected token in the attribute selector.");
    this.i++;
    return { name, op, value, ci };
  }

  /** an+b, odd, even, or an integer. */
  parseNth() {
    const rest = this.s.slice(this.i);
    const m = /^(?:(odd)|(even)|([+-]?\d*)[nN](?:[ \t\n\r\f]*([+-])[ \t\n\r\f]*(\d+))?|([+-]?\d+))/.exec(rest);
    if (!m || m[0] === "") this.fail(this.eof() ? "Unexpected end of selector." : "Unexpected token in selector.");
    this.i += m[0].length;
    if (m[1]) return [2, 1];
    if (m[2]) return [2, 0];
    if (m[6] !== undefined) return [0, parseInt(m[6], 10)];
    const aText = m[3];
    const a = aText === "" || aText === "+" ? 1 : aText === "-" ? -1 : parseInt(aText, 10);
    const b = m[4] ? (m[4] === "-" ? -1 : 1) * parseInt(m[5], 10) : 0;
    return [a, b];
  }
}

function hrNthMatches(a, b, index) {
  if (a === 0) return index === b;
  const n = (index - b) / a;
  return Number.isInteger(n) && n >= 0;
}

function hrAttrValue(attrs, name) {
  for (let i = 0; i < attrs.length; i++) if (attrs[i].name === name) return attrs[i];
  return null;
}

/** Whether an element (subject or ancestor frame) matches one compound. */
function hrMatchCompound(comp, el) {
  if (comp.tag !== null && comp.tag !== el.name) return false;
  if (comp.id !== null || comp.classes.length > 0 || comp.attrs.length > 0) {
    const attrs = el.attrs();
    if (comp.id !== null) { const a = hrAttrValue(attrs, "id"); if (a === null || a.value() !== comp.id) return false; }
    if (comp.classes.length > 0) {
      const a = hrAttrValue(attrs, "class");
      if (a === null) return false;
      const list = a.value().split(/[ \t\n\r\f]+/);
      for (const c of comp.classes) if (!list.includes(c)) return false;
    }
    for (const sel of comp.attrs) {
      const a = hrAttrValue(attrs, sel.name);
      if (a === null) return false;
      if (sel.op === "") continue;
      let v = a.value(), want = sel.value;
      if (sel.ci) { v = v.toLowerCase(); want = want.toLowerCase(); }
      switch (sel.op) {
        case "=": if (v !== want) return false; break;
        case "~=": if (want === "" || /[ \t\n\r\f]/.test(want) || !v.split(/[ \t\n\r\f]+/).includes(want)) return false; break;
        case "|=": if (v !== want && !v.startsWith(want + "-")) return false; break;
        case "^=": if (want === "" || !v.startsWith(want)) return false; break;
        case "$=": if (want === "" || !v.endsWith(want)) return false; break;
        case "*=": if (want === "" || !v.includes(want)) return false; break;
      }
    }
  }
  for (const nth of comp.nth) if (!hrNthMatches(nth.a, nth.b, nth.ofType ? el.typeIndex : el.childIndex)) return false;
  for (const inner of comp.not) if (hrMatchCompound(inner, el)) return false;
  return true;
}

/** Right-to-left match of a complex selector: part k against chain[k] (the element, then its ancestors). */
function hrMatchComplex(sel, el, frames) {
  const last = sel.parts.length - 1;
  if (!hrMatchCompound(sel.parts[last], el)) return false;
  return last === 0 || hrMatchAncestors(sel, last - 1, frames, frames.length - 1);
}

function hrMatchAncestors(sel, k, frames, from) {
  const comb = sel.combinators[k];
  if (comb === ">") {
    if (from < 0 || !hrMatchCompound(sel.parts[k], frames[from])) return false;
    return k === 0 || hrMatchAncestors(sel, k - 1, frames, from - 1);
  }
  for (let f = from; f >= 0; f--) {
    if (hrMatchCompound(sel.parts[k], frames[f]) && (k === 0 || hrMatchAncestors(sel, k - 1, frames, f - 1))) return true;
  }
  return false;
}

function hrSelectorNeeds(list) {
  let types = false, ancestorAttrs = false, nth = false, ancestors = false;
  const visit = (comp, ancestor) => {
    for (const n of comp.nth) { nth = true; if (n.ofType) types = true; }
    if (ancestor && (comp.id !== null || comp.classes.length || comp.attrs.length || comp.not.length)) ancestorAttrs = true;
    for (const inner of comp.not) visit(inner, ancestor);
  };
  for (const sel of list) {
    if (sel.parts.length > 1) ancestors = true;
    sel.parts.forEach((p, i) => visit(p, i < sel.parts.length - 1));
  }
  return { types, ancestorAttrs, nth, ancestors };
}

// ---- bytes and text --------------------------------------------------------------------------
const HR_LT = 0x3c, HR_GT = 0x3e, HR_SLASH = 0x2f, HR_BANG = 0x21, HR_QUESTION = 0x3f, HR_DASH = 0x2d, HR_EQ = 0x3d;
const HR_DQ = 0x22, HR_SQ = 0x27;

function hrIsWs(b) { return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d; }
function hrIsAlpha(b) { return (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a); }
function hrLower(b) { return b >= 0x41 && b <= 0x5a ? b + 32 : b; }

// Tag and attribute names are looked up by a hash of their lower-cased bytes, so the common ones
// are not built character by character for every tag.
const hrNames = new Map();

/** The ASCII-lower-cased name in buf[s, e), interned. */
function hrName(buf, s, e) {
  const n = e - s;
  if (n > 24) return hrLowerName(buf, s, e);
  let h = n;
  for (let i = s; i < e; i++) h = (Math.imul(h, 31) + hrLower(buf[i])) | 0;
  const hit = hrNames.get(h);
  if (hit !== undefined && hit.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) if (hit.charCodeAt(i) !== hrLower(buf[s + i])) { same = false; break; }
    if (same) return hit;
  }
  const name = hrLowerName(buf, s, e);
  if (hrNames.size < 4096) hrNames.set(h, name);
  return name;
}

/** ASCII-lower-cased bytes as a string. */
function hrLowerName(buf, s, e) {
  let out = "";
  for (let i = s; i < e; i++) {
    const b = buf[i];
    out += b < 0x80 ? String.fromCharCode(hrLower(b)) : "\ufffd";
  }
  if (out.includes("\ufffd")) return hrDecodeUtf8(buf, s, e).replace(/[A-Z]+/g, (x) => x.toLowerCase());
  return out;
}

function hrDecodeUtf8(buf, s, e) {
  if (e - s < 48) {
    let ascii = true;
    for (let i = s; i < e; i++) if (buf[i] >= 0x80) { ascii = false; break; }
    if (ascii) { let out = ""; for (let i = s; i < e; i++) out += String.fromCharCode(buf[i]); return out; }
  }
  return utf8Decode(buf.subarray(s, e), false, true);
}

/** The document's character encoding: UTF-8 or a single-byte one (its table), from Content-Type's charset. */
class HrEncoding {
  constructor(contentType) {
    this.table = null; this.reverse = null;
    const m = contentType === null ? null : /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
    const name = m === null ? "utf-8" : encodingForLabel(m[1]) ?? "utf-8";
    if (name !== "utf-8") {
      const table = singleByteTable(name);
      if (table !== null) this.table = table;
    }
  }
  decode(buf, s, e) {
    if (this.table === null) return hrDecodeUtf8(buf, s, e);
    let out = "";
    for (let i = s; i < e; i++) { const c = this.table[buf[i]]; out += c === UNMAPPED ? "\ufffd" : String.fromCharCode(c); }
    return out;
  }
  encode(str) {
    if (this.table === null) return utf8Encode(str);
    if (this.reverse === null) {
      this.reverse = new Map();
      for (let i = 0; i < 256; i++) if (this.table[i] !== UNMAPPED) this.reverse.set(this.table[i], i);
    }
    const bytes = [];
    for (const ch of str) {
      const b = this.reverse.get(ch.codePointAt(0));
      if (b !== undefined) { bytes.push(b); continue; }
      // Characters the encoding lacks become numeric character references, as encoding_rs writes them.
      for (const d of `&#${ch.codePointAt(0)};`) bytes.push(d.charCodeAt(0));
    }
    return new Uint8Array(bytes);
  }
  /** How many bytes at the end of buf[s, e) start a character that continues in the next chunk. */
  incompleteTail(buf, s, e) {
    if (this.table !== null) return 0;
    for (let back = 1; back <= 3 && e - back >= s; back++) {
      const b = buf[e - back];
      if (b < 0x80) return 0;
      if (b >= 0xc0) {
        const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        return need > back ? back : 0;
      }
    }
    return 0;
  }
}

function hrEscapeText(s) {
  return s.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

/** Content given to before/after/…: a string, HTML or escaped text. */
function hrContent(content, options, where) {
  const text = toDOMString(content);
  let html = false;
  if (options !== undefined && options !== null) {
    if (typeof options !== "object") throw new TypeError(`Failed to execute '${where}': parameter 2 is not of type 'ContentOptions'.`);
    html = Boolean(options.html);
  }
  return html ? text : hrEscapeText(text);
}

// ---- mutations of one token (lol-html's Mutations) ---------------------------------------------
class HrMutations {
  constructor() { this.before = null; this.after = null; this.replacement = null; this.removed = false; }
  addBefore(s) { (this.before ??= []).push(s); }
  addAfter(s) { (this.after ??= []).unshift(s); }
  replace(s) { this.replacement = s; this.removed = true; }
  remove() { this.replacement = null; this.removed = true; }
  get touched() { return this.before !== null || this.after !== null || this.removed; }
}

// ---- the tokens handlers see ---------------------------------------------------------------------
function hrToken(obj, cls) {
  const st = obj?.[kState];
  if (st === undefined || !(obj instanceof cls)) throw illegalInvocation();
  if (!st.valid) throw new TypeError(HR_STALE);
  return st;
}

const HR_NS_HTML = "http://www.w3.org/1999/xhtml", HR_NS_SVG = "http://www.w3.org/2000/svg", HR_NS_MATH = "http://www.w3.org/1998/Math/MathML";

/** An attribute of a start tag: offsets into the input (name, value, its whole source text) until set. */
class HrAttribute {
  constructor(doc, buf, nameS, nameE, valueS, valueE, rawE) {
    this.doc = doc; this.buf = buf;
    this.nameS = nameS; this.nameE = nameE; this.valueS = valueS; this.valueE = valueE; this.rawE = rawE;
    this.name = hrName(buf, nameS, nameE);
    this.raw = true;   // unchanged: serialized as its source text
    this.text = null;  // the decoded or set value
  }
  value() { return this.text ??= this.doc.encoding.decode(this.buf, this.valueS, this.valueE); }
  /** Added by setAttribute: no source text. */
  static added(doc, name, value) {
    const a = Object.create(HrAttribute.prototype);
    a.doc = doc; a.buf = null; a.name = name; a.raw = false; a.text = value;
    return a;
  }
}

class Element {
  constructor() { throw new TypeError("Illegal constructor"); }
  get tagName() { return hrToken(this, Element).tag.name; }
  set tagName(name) {
    const st = hrToken(this, Element);
    name = toDOMString(name);
    if (name === "") throw hrParserError("Tag name can't be empty.");
    if (!hrIsAlpha(name.charCodeAt(0))) throw hrParserError("Tag name should start with an ASCII alphabetical character.");
    const bad = /[ \t\n\r\f/>]/.exec(name);
    if (bad) throw hrParserError(`\`${bad[0]}\` character is forbidden in the tag name`);
    st.tag.newName = name;
    st.tag.name = name.toLowerCase();
    st.tag.modified = true;
    if (st.frame !== null) st.frame.endName = name;
  }
  get attributes() {
    const st = hrToken(this, Element);
    const it = Object.create(AttributesIterator.prototype);
    it[kState] = { valid: true, list: st.tag.attrs().slice(), i: 0, owner: st };
    return it;
  }
  get removed() { return hrToken(this, Element).mut.removed; }
  get namespaceURI() { return hrToken(this, Element).tag.ns; }
  getAttribute(name) {
    const st = hrToken(this, Element);
    const a = hrAttrValue(st.tag.attrs(), toDOMString(name).toLowerCase());
    return a === null ? null : a.value();
  }
  hasAttribute(name) { return hrAttrValue(hrToken(this, Element).tag.attrs(), toDOMString(name).toLowerCase()) !== null; }
  setAttribute(name, value) {
    const st = hrToken(this, Element);
    name = toDOMString(name);
    value = toDOMString(value);
    if (name === "") throw hrParserError("Attribute name can't be empty.");
    const bad = /[ \n\r\t\f/>=]/.exec(name);
    if (bad) throw hrParserError(`\`${bad[0]}\` character is forbidden in the attribute name`);
    const lower = name.toLowerCase();
    const attrs = st.tag.attrs();
    const a = hrAttrValue(attrs, lower);
    if (a !== null) { a.text = value; a.raw = false; }
    else attrs.push(HrAttribute.added(st.doc, lower, value));
    st.tag.modified = true;
    return this;
  }
  removeAttribute(name) {
    const st = hrToken(this, Element);
    const attrs = st.tag.attrs();
    const lower = toDOMString(name).toLowerCase();
    const i = attrs.findIndex((a) => a.name === lower);
    if (i >= 0) { attrs.splice(i, 1); st.tag.modified = true; }
    return this;
  }
  before(content, options = undefined) { const st = hrToken(this, Element); st.mut.addBefore(hrContent(content, options, "before")); return this; }
  after(content, options = undefined) {
    const st = hrToken(this, Element);
    const s = hrContent(content, options, "after");
    if (st.frame !== null) st.frame.endMut().addAfter(s); else (st.contentAfter ??= []).unshift(s);
    return this;
  }
  prepend(content, options = undefined) {
    const st = hrToken(this, Element);
    const s = hrContent(content, options, "prepend");
    if (st.frame !== null) { st.tag.selfClosingSyntax(false); (st.contentAfter ??= []).unshift(s); }
    return this;
  }
  append(content, options = undefined) {
    const st = hrToken(this, Element);
    const s = hrContent(content, options, "append");
    if (st.frame !== null) { st.tag.selfClosingSyntax(false); st.frame.endMut().addBefore(s); }
    return this;
  }
  replace(content, options = undefined) {
    const st = hrToken(this, Element);
    st.mut.replace(hrContent(content, options, "replace"));
    if (st.frame !== null) { hrRemoveContent(st); st.frame.endMut().remove(); }
    return this;
  }
  remove() {
    const st = hrToken(this, Element);
    st.mut.remove();
    if (st.frame !== null) { hrRemoveContent(st); st.frame.endMut().remove(); }
    return this;
  }
  removeAndKeepContent() {
    const st = hrToken(this, Element);
    st.mut.remove();
    if (st.frame !== null) st.frame.endMut().remove();
    return this;
  }
  setInnerContent(content, options = undefined) {
    const st = hrToken(this, Element);
    const s = hrContent(content, options, "setInnerContent");
    if (st.frame !== null) {
      st.tag.selfClosingSyntax(false);
      hrRemoveContent(st);
      (st.contentAfter ??= []).unshift(s);
    }
    return this;
  }
  onEndTag(handler) {
    const st = hrToken(this, Element);
    if (typeof handler !== "function") throw new TypeError("Failed to execute 'onEndTag' on 'Element': parameter 1 is not of type 'function'.");
    if (st.frame === null) throw hrParserError("No end tag.");
    st.frame.endHandler = handler;
  }
}
webidlInterface(Element);

function hrRemoveContent(st) {
  st.contentAfter = null;
  const end = st.frame.endMutations;
  if (end !== null) end.before = null;
  st.frame.removeContent = true;
}

class AttributesIterator {
  constructor() { throw new TypeError("Illegal constructor"); }
  next() {
    const st = this?.[kState];
    if (st === undefined || !(this instanceof AttributesIterator)) throw illegalInvocation();
    if (!st.owner.valid) throw new TypeError(HR_STALE);
    if (st.i >= st.list.length) return { done: true, value: undefined };
    const a = st.list[st.i++];
    return { done: false, value: [a.name, a.value()] };
  }
  [Symbol.iterator]() { return this; }
}
Object.setPrototypeOf(AttributesIterator.prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
webidlInterface(AttributesIterator);

class EndTag {
  constructor() { throw new TypeError("Illegal constructor"); }
  get name() { return hrToken(this, EndTag).name.toLowerCase(); }
  set name(name) {
    const st = hrToken(this, EndTag);
    name = toDOMString(name);
    if (name === "") throw hrParserError("Tag name can't be empty.");
    const bad = /[ \t\n\r\f/>]/.exec(name);
    if (bad) throw hrParserError(`\`${bad[0]}\` character is forbidden in the tag name`);
    st.name = name;
    st.renamed = true;
  }
  before(content, options = undefined) { hrToken(this, EndTag).mut.addBefore(hrContent(content, options, "before")); return this; }
  after(content, options = undefined) { hrToken(this, EndTag).mut.addAfter(hrContent(content, options, "after")); return this; }
  remove() { hrToken(this, EndTag).mut.remove(); return this; }
}
webidlInterface(EndTag);

class Comment {
  constructor() { throw new TypeError("Illegal constructor"); }
  get text() { const st = hrToken(this, Comment); return st.text ??= st.doc.encoding.decode(st.buf, st.textS, st.textE); }
  set text(value) { const st = hrToken(this, Comment); st.text = toDOMString(value); st.changed = true; }
  get removed() { return hrToken(this, Comment).mut.removed; }
  before(content, options = undefined) { hrToken(this, Comment).mut.addBefore(hrContent(content, options, "before")); return this; }
  after(content, options = undefined) { hrToken(this, Comment).mut.addAfter(hrContent(content, options, "after")); return this; }
  replace(content, options = undefined) { hrToken(this, Comment).mut.replace(hrContent(content, options, "replace")); return this; }
  remove() { hrToken(this, Comment).mut.remove(); return this; }
}
webidlInterface(Comment);

class Text {
  constructor() { throw new TypeError("Illegal constructor"); }
  get text() { const st = hrToken(this, Text); return st.text ??= st.doc.encoding.decode(st.buf, st.s, st.e); }
  get lastInTextNode() { return hrToken(this, Text).last; }
  get removed() { return hrToken(this, Text).mut.removed; }
  before(content, options = undefined) { hrToken(this, Text).mut.addBefore(hrContent(content, options, "before")); return this; }
  after(content, options = undefined) { hrToken(this, Text).mut.addAfter(hrContent(content, options, "after")); return this; }
  replace(content, options = undefined) { hrToken(this, Text).mut.replace(hrContent(content, options, "replace")); return this; }
  remove() { hrToken(this, Text).mut.remove(); return this; }
}
webidlInterface(Text);

class Doctype {
  constructor() { throw new TypeError("Illegal constructor"); }
  get name() { return hrToken(this, Doctype).name; }
  get publicId() { return hrToken(this, Doctype).publicId; }
  get systemId() { return hrToken(this, Doctype).systemId; }
}
webidlInterface(Doctype);

class DocumentEnd {
  constructor() { throw new TypeError("Illegal constructor"); }
  append(content, options = undefined) { hrToken(this, DocumentEnd).mut.addBefore(hrContent(content, options, "append")); return this; }
}
webidlInterface(DocumentEnd);

// ---- the rewriter -----------------------------------------------------------------------------------

// Elements without content in HTML, as lol-html lists them.
const HR_VOID = new Set(["area", "base", "basefont", "bgsound", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr"]);
// Start tags that leave svg or math (the HTML standard's "breakout" list).
const HR_FOREIGN_EXIT = new Set(["b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed",
  "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre", "ruby",
  "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var"]);
const HR_SVG_HTML_POINTS = new Set(["desc", "title", "foreignobject"]);
const HR_MATH_TEXT_POINTS = new Set(["mi", "mo", "mn", "ms", "mtext"]);

const TT_DATA = 0, TT_RCDATA = 1, TT_RAWTEXT = 2, TT_SCRIPT = 3, TT_PLAINTEXT = 4;
const HR_TEXT_TYPE = new Map([["textarea", TT_RCDATA], ["title", TT_RCDATA], ["plaintext", TT_PLAINTEXT], ["script", TT_SCRIPT],
  ["style", TT_RAWTEXT], ["iframe", TT_RAWTEXT], ["xmp", TT_RAWTEXT], ["noembed", TT_RAWTEXT], ["noframes", TT_RAWTEXT], ["noscript", TT_RAWTEXT]]);

const HR_NEED_MORE = -1;

/** One open element on lol-html's stack: what selectors look at, and what its end tag must do. */
class HrFrame {
  constructor(name, ns, childIndex, typeIndex, attrs) {
    this.name = name; this.ns = ns; this.childIndex = childIndex; this.typeIndex = typeIndex;
    this.savedAttrs = attrs;
    this.children = 0; this.types = null;
    this.entries = null;        // handler entries this element matched (their text/comments apply inside)
    this.endHandler = null;     // onEndTag
    this.endMutations = null;   // element.after/append/remove… applied to the end tag
    this.endName = null;        // a renamed element's end tag name
    this.removeContent = false; // remove/replace/setInnerContent: drop what is inside
  }
  attrs() { return this.savedAttrs; }
  endMut() { return this.endMutations ??= new HrMutations(); }
}

/** The start tag being handled: its name, namespace, attributes (parsed when first needed) and bytes. */
class HrStartTag {
  constructor(doc, buf, s, e, nameS, nameE, selfClosing, ns, name) {
    this.doc = doc; this.buf = buf; this.s = s; this.e = e; this.nameS = nameS; this.nameE = nameE;
    this.selfClosing = selfClosing; this.ns = ns; this.name = name;
    this.newName = null; this.modified = false; this.list = null;
    this.childIndex = 0; this.typeIndex = 0;
  }
  attrs() { return this.list ??= hrParseAttributes(this.doc, this.buf, this.nameE, this.e); }
  selfClosingSyntax(on) { if (this.selfClosing !== on && this.ns !== HR_NS_HTML) { this.selfClosing = on; this.modified = true; } }
  serialize(doc) {
    if (!this.modified) { doc.emit(this.buf, this.s, this.e); return; }
    doc.emitString("<" + (this.newName ?? ""));
    if (this.newName === null) doc.emit(this.buf, this.nameS, this.nameE);
    const attrs = this.attrs();
    for (const a of attrs) {
      doc.emitString(" ");
      if (a.raw) doc.emit(a.buf, a.nameS, a.rawE);
      else {
        if (a.buf !== null) doc.emit(a.buf, a.nameS, a.nameE); else doc.emitString(a.name);
        const v = a.value();
        doc.emitString(v.includes("\"") ? `="${v.replace(/"/g, "&quot;")}"` : `="${v}"`);
      }
    }
    doc.emitString(this.selfClosing ? (attrs.length > 0 ? " />" : "/>") : ">");
  }
}

/** Attributes of a start tag from the end of its name to its '>' (the HTML standard's attribute states). */
function hrParseAttributes(doc, buf, i, end) {
  const list = [];
  const stop = buf[end - 1] === HR_GT ? end - 1 : end;
  while (i < stop) {
    let b = buf[i];
    if (hrIsWs(b) || b === HR_SLASH) { i++; continue; }
    const nameS = i;
    i++; // the first character may be '='
    while (i < stop && !hrIsWs(buf[i]) && buf[i] !== HR_SLASH && buf[i] !== HR_EQ) i++;
    const nameE = i;
    while (i < stop && hrIsWs(buf[i])) i++;
    let valueS = nameE, valueE = nameE, rawE = nameE;
    if (i < stop && buf[i] === HR_EQ) {
      i++;
      while (i < stop && hrIsWs(buf[i])) i++;
      b = buf[i];
      if (b === HR_DQ || b === HR_SQ) {
        valueS = i + 1;
        let j = valueS;
        while (j < stop && buf[j] !== b) j++;
        valueE = j;
        i = j < stop ? j + 1 : j;
        rawE = i;
      } else {
        valueS = i;
        while (i < stop && !hrIsWs(buf[i])) i++;
        valueE = rawE = i;
      }
    }
    list.push(new HrAttribute(doc, buf, nameS, nameE, valueS, valueE, rawE));
  }
  return list;
}

/**
 * The end of the tag starting at `i` ('<' at i): the index after its '>', or HR_NEED_MORE. Quotes
 * count only where an attribute value may start (after '=').
 */
function hrTagEnd(buf, i, len) {
  // Most tags have no quote before their '>': then the first '>' ends them.
  const gt = buf.indexOf(HR_GT, i + 1);
  if (gt >= 0 && gt < len) {
    let quoted = false;
    for (let k = i + 1; k < gt; k++) { const b = buf[k]; if (b === HR_DQ || b === HR_SQ) { quoted = true; break; } }
    if (!quoted) return gt + 1;
  }
  let j = i + 1;
  let afterEq = false;
  while (j < len) {
    const b = buf[j];
    if (b === HR_GT) return j + 1;
    if (b === HR_EQ) { afterEq = true; j++; continue; }
    if (afterEq) {
      if (hrIsWs(b)) { j++; continue; }
      afterEq = false;
      if (b === HR_DQ || b === HR_SQ) {
        const close = buf.indexOf(b, j + 1);
        if (close < 0 || close >= len) return HR_NEED_MORE;
        j = close + 1;
        continue;
      }
    }
    j++;
  }
  return HR_NEED_MORE;
}

function hrIndexOfSeq(buf, seq, from, len) {
  const first = seq[0];
  let i = from;
  while (true) {
    i = buf.indexOf(first, i);
    if (i < 0 || i + seq.length > len) return -1;
    let ok = true;
    for (let k = 1; k < seq.length; k++) if (buf[i + k] !== seq[k]) { ok = false; break; }
    if (ok) return i;
    i++;
  }
}

function hrMatchesCi(buf, i, len, word) {
  if (i + word.length > len) return null;
  for (let k = 0; k < word.length; k++) if (hrLower(buf[i + k]) !== word.charCodeAt(k)) return false;
  return true;
}

const HR_CDATA_OPEN = [0x5b, 0x43, 0x44, 0x41, 0x54, 0x41, 0x5b]; // "[CDATA["
const HR_CDATA_CLOSE = [0x5d, 0x5d, 0x3e];                       // "]]>"

/**
 * Calls handlers[i…] with one token, in order; a handler's promise is awaited before the next.
 * Then `done` finishes the token (its output). Returns null when all ran synchronously, else a
 * promise of the rest. The token is invalid once its handlers are done, or one failed.
 */
function hrRun(handlers, i, token, st, done) {
  try {
    for (; i < handlers.length; i += 2) {
      const result = handlers[i].call(handlers[i + 1], token);
      if (result !== null && (typeof result === "object" || typeof result === "function") && typeof result.then === "function") {
        const next = i + 2;
        return Promise.resolve(result).then(() => hrRun(handlers, next, token, st, done), (e) => { st.valid = false; throw e; });
      }
    }
  } catch (e) {
    st.valid = false;
    throw e;
  }
  st.valid = false;
  done();
  return null;
}

/**
 * Everything one transform() keeps between input chunks. The tokenizer runs synchronously; when
 * a handler returns a promise it stops after that token (this.pending), and write() awaits it
 * and goes on where it stopped. Untouched input is passed on as ranges of the input chunk.
 */
class HrDocument {
  constructor(entries, docHandlers, needs, encoding) {
    this.entries = entries;          // [{ selectors, element, comments, text, thisArg, active }]
    this.docText = []; this.docComments = []; this.docDoctype = []; this.docEnd = [];
    for (const h of docHandlers) {
      if (h.text !== null) this.docText.push(h.text, h.thisArg);
      if (h.comments !== null) this.docComments.push(h.comments, h.thisArg);
      if (h.doctype !== null) this.docDoctype.push(h.doctype, h.thisArg);
      if (h.end !== null) this.docEnd.push(h.end, h.thisArg);
    }
    this.trackTypes = needs.types;
    this.keepAttrs = needs.ancestorAttrs;
    // Without combinators or nth-child, an element nothing matched is only its name on the stack.
    this.lightFrames = !needs.ancestors && !needs.nth;
    this.encoding = encoding;
    this.textHandlers = 0;           // open elements whose matched entries have text handlers
    this.commentHandlers = 0;
    this.frames = [];
    this.root = { children: 0, types: null };
    this.removeDepth = 0;
    this.ns = [HR_NS_HTML];
    this.textType = TT_DATA;
    this.endTagName = null;          // the element whose end tag ends RCDATA / RAWTEXT / script data
    this.scriptState = 0;            // 0 script data, 1 escaped, 2 double escaped
    this.scriptScanned = 0;          // bytes of the carry already scanned in an escaped state
    this.carry = null;               // bytes of an unfinished token, kept for the next chunk
    this.carryFrom = -1;
    this.textOpen = false;           // a text chunk of the current text node was handed out
    this.pending = null;             // a handler's promise the tokenizer waits for
    this.acc = new Uint8Array(0); this.accLen = 0;   // output of the current chunk
    this.rawBuf = null; this.rawS = 0; this.rawE = 0; // input passed on as it is, not yet in acc
  }

  get currentNs() { return this.ns[this.ns.length - 1]; }
  wantsText() { return this.textHandlers > 0 || this.docText.length > 0; }

  // ---- output ----------------------------------------------------------------------------------
  // Output goes into one growing byte buffer: input passed on unchanged is copied in by ranges
  // (consecutive ones coalesced), inserted text is encoded straight into it. A chunk whose output
  // is a single unchanged range is handed on without a copy.

  /** Passes input bytes [s, e) on unchanged (unless inside removed content). */
  emit(buf, s, e) {
    if (this.removeDepth !== 0 || e <= s) return;
    if (buf === this.rawBuf && s === this.rawE) { this.rawE = e; return; }
    this.flushRaw();
    this.rawBuf = buf; this.rawS = s; this.rawE = e;
  }
  flushRaw() {
    if (this.rawBuf === null) return;
    const n = this.rawE - this.rawS;
    this.reserve(n);
    this.acc.set(this.rawBuf.subarray(this.rawS, this.rawE), this.accLen);
    this.accLen += n;
    this.rawBuf = null;
  }
  reserve(n) {
    if (this.accLen + n <= this.acc.length) return;
    const grown = new Uint8Array(Math.max(this.acc.length * 2, this.accLen + n, 16384));
    grown.set(this.acc.subarray(0, this.accLen));
    this.acc = grown;
  }
  /** Inserted text, encoded in the document's encoding. */
  emitString(str) {
    if (this.removeDepth !== 0 || str.length === 0) return;
    this.flushRaw();
    const n = str.length;
    if (this.encoding.table === null) {
      this.reserve(n);
      const acc = this.acc;
      let at = this.accLen;
      for (let i = 0; i < n; i++) {
        const c = str.charCodeAt(i);
        if (c >= 0x80) { this.accLen = at; this.emitEncoded(str.slice(i)); return; }
        acc[at++] = c;
      }
      this.accLen = at;
      return;
    }
    this.emitEncoded(str);
  }
  emitEncoded(str) {
    const bytes = this.encoding.encode(str);
    this.reserve(bytes.length);
    this.acc.set(bytes, this.accLen);
    this.accLen += bytes.length;
  }
  emitMutated(mut, raw) {
    if (this.removeDepth !== 0) return;
    if (mut.before !== null) for (const s of mut.before) this.emitString(s);
    if (mut.removed) { if (mut.replacement !== null) this.emitString(mut.replacement); }
    else if (raw !== null) raw();
    if (mut.after !== null) for (const s of mut.after) this.emitString(s);
  }

  takeOutput() {
    if (this.accLen === 0) {
      if (this.rawBuf === null) return null;
      // Only unchanged input: hand it on as it is (its buffer is this chunk's, not reused).
      const out = this.rawBuf.subarray(this.rawS, this.rawE);
      this.rawBuf = null;
      return out;
    }
    this.flushRaw();
    const out = this.acc.slice(0, this.accLen);
    this.accLen = 0;
    return out;
  }

  // ---- text ------------------------------------------------------------------------------------
  /** One text chunk, bytes [s, e) of buf; handed to text handlers when any are active. */
  text(buf, s, e) {
    if (e <= s) return;
    if (!this.wantsText()) { this.emit(buf, s, e); return; }
    this.textOpen = true;
    this.dispatchText(buf, s, e, false);
  }

  /** The empty last chunk of a text node, when the node gave out any chunk. */
  endTextNode() {
    if (!this.textOpen) return;
    this.textOpen = false;
    if (this.wantsText()) this.dispatchText(EMPTY_BYTES, 0, 0, true);
  }

  dispatchText(buf, s, e, last) {
    const handlers = [];
    if (this.textHandlers > 0) for (const entry of this.entries) if (entry.active > 0 && entry.text !== null) handlers.push(entry.text, entry.thisArg);
    for (const x of this.docText) handlers.push(x);
    const st = { valid: true, doc: this, buf, s, e, text: null, last, mut: new HrMutations() };
    const token = Object.create(Text.prototype);
    token[kState] = st;
    this.pending = hrRun(handlers, 0, token, st, () => this.emitMutated(st.mut, e > s ? () => this.emit(buf, s, e) : null));
  }

  // ---- comments and doctypes ---------------------------------------------------------------------
  comment(buf, s, e, textS, textE) {
    if (this.commentHandlers === 0 && this.docComments.length === 0) { this.emit(buf, s, e); return; }
    const handlers = [];
    if (this.commentHandlers > 0) for (const entry of this.entries) if (entry.active > 0 && entry.comments !== null) handlers.push(entry.comments, entry.thisArg);
    for (const x of this.docComments) handlers.push(x);
    const st = { valid: true, doc: this, buf, textS, textE, text: null, changed: false, mut: new HrMutations() };
    const token = Object.create(Comment.prototype);
    token[kState] = st;
    this.pending = hrRun(handlers, 0, token, st, () => this.emitMutated(st.mut, () => {
      if (st.changed) this.emitString(`<!--${st.text}-->`);
      else this.emit(buf, s, e);
    }));
  }

  doctype(buf, s, e) {
    if (this.docDoctype.length === 0) { this.emit(buf, s, e); return; }
    const st = { valid: true, ...hrParseDoctype(this, buf, s + 9, e) };
    const token = Object.create(Doctype.prototype);
    token[kState] = st;
    this.pending = hrRun(this.docDoctype, 0, token, st, () => this.emit(buf, s, e));
  }

  // ---- tags ---------------------------------------------------------------------------------------
  startTag(buf, s, e) {
    let nameE = s + 1;
    while (nameE < e && !hrIsWs(buf[nameE]) && buf[nameE] !== HR_SLASH && buf[nameE] !== HR_GT) nameE++;
    const entries = this.entries;
    // Without selectors only tags that change the content model or the namespace matter.
    if (entries.length === 0 && this.currentNs === HR_NS_HTML && !HR_MAY_SWITCH[hrLower(buf[s + 1])]) { this.emit(buf, s, e); return; }
    const name = hrName(buf, s + 1, nameE);
    const selfClosing = buf[e - 2] === HR_SLASH && e - 2 >= nameE;

    // The namespace, as lol-html's tree builder simulator follows it.
    let enterAfter = null;
    if (name === "svg") this.ns.push(HR_NS_SVG);
    else if (name === "math") this.ns.push(HR_NS_MATH);
    else if (this.currentNs !== HR_NS_HTML) {
      if (HR_FOREIGN_EXIT.has(name)) { if (this.ns.length > 1) this.ns.pop(); }
      else if ((this.currentNs === HR_NS_SVG && HR_SVG_HTML_POINTS.has(name)) || (this.currentNs === HR_NS_MATH && HR_MATH_TEXT_POINTS.has(name))) {
        if (!selfClosing) enterAfter = HR_NS_HTML;
      } else if (name === "font" || (name === "annotation-xml" && this.currentNs === HR_NS_MATH)) {
        const probe = new HrStartTag(this, buf, s, e, s + 1, nameE, selfClosing, this.currentNs, name);
        if (name === "font") { if (probe.attrs().some((a) => a.name === "color" || a.name === "size" || a.name === "face")) { if (this.ns.length > 1) this.ns.pop(); } }
        else if (!selfClosing && probe.attrs().some((a) => a.name === "encoding" && /^(text\/html|application\/xhtml\+xml)$/i.test(a.value()))) enterAfter = HR_NS_HTML;
      }
    }
    const ns = this.currentNs;
    if (enterAfter !== null) this.ns.push(enterAfter);

    const canHaveContent = ns === HR_NS_HTML ? !HR_VOID.has(name) : !selfClosing;
    if (entries.length === 0) {
      this.emit(buf, s, e);
      if (ns === HR_NS_HTML && canHaveContent) this.switchTextType(name);
      return;
    }
    let childIndex = 0, typeIndex = 0;
    const parent = this.lightFrames ? null : this.frames.length > 0 ? this.frames[this.frames.length - 1] : this.root;
    if (parent !== null) childIndex = ++parent.children;
    if (this.trackTypes) {
      parent.types ??= new Map();
      typeIndex = (parent.types.get(name) ?? 0) + 1;
      parent.types.set(name, typeIndex);
    }
    let matched = null, handlers = null, tag = null;
    for (const entry of entries) {
      // Most selectors name the element's type: others need not be looked at.
      if (entry.tags !== null && !entry.tags.has(name)) continue;
      if (tag === null) {
        tag = new HrStartTag(this, buf, s, e, s + 1, nameE, selfClosing, ns, name);
        tag.childIndex = childIndex; tag.typeIndex = typeIndex;
      }
      for (const sel of entry.selectors) {
        if (hrMatchComplex(sel, tag, this.frames)) {
          (matched ??= []).push(entry);
          if (entry.element !== null) (handlers ??= []).push(entry.element, entry.thisArg);
          break;
        }
      }
    }
    if (handlers === null && matched === null && this.lightFrames) {
      this.emit(buf, s, e);
      if (canHaveContent) { this.frames.push(name); if (ns === HR_NS_HTML) this.switchTextType(name); }
      return;
    }
    const frame = canHaveContent ? new HrFrame(name, ns, childIndex, typeIndex, null) : null;
    if (frame !== null && this.keepAttrs) {
      const attrs = (tag ?? new HrStartTag(this, buf, s, e, s + 1, nameE, selfClosing, ns, name)).attrs();
      frame.savedAttrs = attrs.map((a) => ({ name: a.name, v: a.value(), value() { return this.v; } }));
    }
    if (handlers === null) {
      this.emit(buf, s, e);
      this.openElement(frame, matched);
      return;
    }
    const st = { valid: true, doc: this, tag, frame, mut: new HrMutations(), contentAfter: null };
    const token = Object.create(Element.prototype);
    token[kState] = st;
    this.pending = hrRun(handlers, 0, token, st, () => {
      // The start tag, then what goes right after it (prepend, setInnerContent).
      this.emitMutated(st.mut, () => tag.serialize(this));
      if (st.contentAfter !== null && (!st.mut.removed || frame === null)) for (const c of st.contentAfter) this.emitString(c);
      this.openElement(frame, matched);
    });
  }

  openElement(frame, matched) {
    if (frame === null) return;
    if (matched !== null) {
      frame.entries = matched;
      for (const m of matched) {
        m.active++;
        if (m.text !== null) this.textHandlers++;
        if (m.comments !== null) this.commentHandlers++;
      }
    }
    if (frame.removeContent) this.removeDepth++;
    this.frames.push(frame);
    if (frame.ns === HR_NS_HTML) this.switchTextType(frame.name);
  }

  switchTextType(name) {
    const type = HR_TEXT_TYPE.get(name);
    if (type === undefined) return;
    this.textType = type;
    this.endTagName = name;
    this.scriptState = 0;
  }

  endTag(buf, s, e) {
    let nameE = s + 2;
    while (nameE < e && !hrIsWs(buf[nameE]) && buf[nameE] !== HR_SLASH && buf[nameE] !== HR_GT) nameE++;
    this.textType = TT_DATA;
    this.endTagName = null;
    if (this.entries.length === 0 && this.currentNs === HR_NS_HTML && this.ns.length === 1) { this.emit(buf, s, e); return; }
    const name = hrName(buf, s + 2, nameE);
    // Namespace feedback for end tags.
    const cur = this.currentNs;
    if (cur === HR_NS_HTML) {
      const prev = this.ns.length >= 2 ? this.ns[this.ns.length - 2] : null;
      if ((prev === HR_NS_MATH && HR_MATH_TEXT_POINTS.has(name)) || (prev === HR_NS_SVG && HR_SVG_HTML_POINTS.has(name)) ||
        (prev === HR_NS_MATH && name === "annotation-xml")) this.ns.pop();
    } else if ((cur === HR_NS_SVG && name === "svg") || (cur === HR_NS_MATH && name === "math") || name === "p" || name === "br") {
      if (this.ns.length > 1) this.ns.pop();
    }

    const frames = this.frames;
    let index = -1;
    if (this.entries.length > 0) {
      for (let f = frames.length - 1; f >= 0; f--) {
        const fr = frames[f];
        if ((typeof fr === "string" ? fr : fr.name) === name) { index = f; break; }
      }
    }
    if (index < 0) { this.emit(buf, s, e); return; }
    let handlers = null, mutated = null;
    for (let k = index; k < frames.length; k++) {
      const f = frames[k];
      if (typeof f === "string") continue;
      if (f.entries !== null) for (const m of f.entries) {
        m.active--;
        if (m.text !== null) this.textHandlers--;
        if (m.comments !== null) this.commentHandlers--;
      }
      if (f.removeContent) this.removeDepth--;
      if (f.endHandler !== null) (handlers ??= []).push(f.endHandler, undefined);
      if (f.endMutations !== null || f.endName !== null) (mutated ??= []).push(f);
    }
    frames.length = index;
    if (handlers === null && mutated === null) { this.emit(buf, s, e); return; }
    const st = { valid: true, name: hrDecodeUtf8(buf, s + 2, nameE), renamed: false, mut: new HrMutations() };
    if (mutated !== null) for (const f of mutated) {
      if (f.endName !== null) { st.name = f.endName; st.renamed = true; }
      const m = f.endMutations;
      if (m !== null) {
        if (m.before !== null) for (const x of m.before) st.mut.addBefore(x);
        if (m.after !== null) for (let k = m.after.length - 1; k >= 0; k--) st.mut.addAfter(m.after[k]);
        if (m.removed) st.mut.remove();
      }
    }
    const token = Object.create(EndTag.prototype);
    token[kState] = st;
    this.pending = hrRun(handlers ?? [], 0, token, st, () => this.emitMutated(st.mut, () => {
      if (st.renamed) this.emitString(`</${st.name}>`);
      else this.emit(buf, s, e);
    }));
  }

  // ---- the tokenizer ----------------------------------------------------------------------------------
  /**
   * Rewrites what can be rewritten of `chunk` (after what the last chunk left); at `final` the
   * rest too. Output collects in this.acc.
   */
  async write(chunk, final) {
    let buf = chunk;
    if (this.carry !== null) { buf = concatBytes([this.carry, chunk]); this.carry = null; }
    const len = buf.length;
    let pos = 0;
    while (true) {
      pos = this.scan(buf, pos, len, final);
      if (this.pending === null) break;
      const p = this.pending;
      this.pending = null;
      await p;
    }
    if (this.carryFrom >= 0) {
      this.carry = buf.slice(this.carryFrom);
      this.carryFrom = -1;
    }
    if (final) {
      this.endTextNode();
      if (this.pending !== null) { const p = this.pending; this.pending = null; await p; }
    }
  }

  /** Tokenizes from pos until the buffer ends, a handler's promise is pending, or a token is unfinished. */
  scan(buf, pos, len, final) {
    while (pos < len && this.pending === null) {
      let next;
      switch (this.textType) {
        case TT_DATA: next = this.data(buf, pos, len, final); break;
        case TT_PLAINTEXT: this.text(buf, pos, len); next = len; break;
        case TT_SCRIPT: next = this.scriptData(buf, pos, len, final); break;
        default: next = this.rawText(buf, pos, len, final); break;
      }
      if (next === HR_NEED_MORE) return len;
      pos = next;
    }
    return pos;
  }

  /** Keeps buf[from…] for the next chunk (an unfinished token or character). */
  keep(from) { this.carryFrom = from; return HR_NEED_MORE; }

  /** Ends the text node before a token; false when its last chunk's handler is still pending. */
  closeText() {
    if (this.textOpen) this.endTextNode();
    return this.pending === null;
  }

  /** Text [pos, end) at the end of the input so far: all of it at the end, else up to an unfinished character. */
  tailText(buf, pos, len, final) {
    const hold = final ? 0 : this.encoding.incompleteTail(buf, pos, len);
    this.text(buf, pos, len - hold);
    if (hold > 0) this.carryFrom = len - hold;
    return len;
  }

  data(buf, pos, len, final) {
    const lt = buf.indexOf(HR_LT, pos);
    if (lt < 0) return this.tailText(buf, pos, len, final);
    if (lt > pos) { this.text(buf, pos, lt); if (this.pending !== null) return lt; }
    if (lt + 1 >= len) {
      if (!final) return this.keep(lt);
      this.text(buf, lt, len);
      return len;
    }
    const c = buf[lt + 1];
    if (hrIsAlpha(c)) {
      const end = hrTagEnd(buf, lt, len);
      if (end === HR_NEED_MORE) return final ? this.rawAtEof(buf, lt, len) : this.keep(lt);
      if (!this.closeText()) return lt;
      this.startTag(buf, lt, end);
      return end;
    }
    if (c === HR_SLASH) {
      if (lt + 2 >= len) { if (!final) return this.keep(lt); this.text(buf, lt, len); return len; }
      const d = buf[lt + 2];
      if (hrIsAlpha(d)) {
        const end = hrTagEnd(buf, lt, len);
        if (end === HR_NEED_MORE) return final ? this.rawAtEof(buf, lt, len) : this.keep(lt);
        if (!this.closeText()) return lt;
        this.endTag(buf, lt, end);
        return end;
      }
      if (d === HR_GT) { this.emit(buf, lt, lt + 3); return lt + 3; } // "</>" is dropped as a token, kept as bytes
      return this.bogusComment(buf, lt, lt + 2, len, final);
    }
    if (c === HR_BANG) return this.markupDeclaration(buf, lt, len, final);
    if (c === HR_QUESTION) return this.bogusComment(buf, lt, lt + 1, len, final);
    // A '<' that starts nothing is text of its own.
    this.text(buf, lt, lt + 1);
    return lt + 1;
  }

  /** An unfinished tag at the end of the input is passed through as it is, as no token. */
  rawAtEof(buf, s, len) {
    this.emit(buf, s, len);
    return len;
  }

  bogusComment(buf, s, textS, len, final) {
    const gt = buf.indexOf(HR_GT, textS);
    if (gt < 0 && !final) return this.keep(s);
    if (!this.closeText()) return s;
    if (gt < 0) { this.comment(buf, s, len, textS, len); return len; }
    this.comment(buf, s, gt + 1, textS, gt);
    return gt + 1;
  }

  markupDeclaration(buf, lt, len, final) {
    const p = lt + 2;
    if (p + 2 > len && !final) return this.keep(lt);
    if (buf[p] === HR_DASH && buf[p + 1] === HR_DASH) return this.fullComment(buf, lt, p + 2, len, final);
    const doctype = hrMatchesCi(buf, p, len, "doctype");
    if (doctype === null && !final) return this.keep(lt);
    if (doctype === true) {
      const gt = buf.indexOf(HR_GT, p + 7);
      if (gt < 0 && !final) return this.keep(lt);
      if (!this.closeText()) return lt;
      const end = gt < 0 ? len : gt + 1;
      this.doctype(buf, lt, end);
      return end;
    }
    let cdata = true;
    for (let k = 0; k < HR_CDATA_OPEN.length; k++) {
      if (p + k >= len) { if (!final) return this.keep(lt); cdata = false; break; }
      if (buf[p + k] !== HR_CDATA_OPEN[k]) { cdata = false; break; }
    }
    if (cdata && this.currentNs !== HR_NS_HTML) {
      // In svg and math a CDATA section is text: its markers pass through, its content is a text chunk.
      const close = hrIndexOfSeq(buf, HR_CDATA_CLOSE, p + 7, len);
      if (close < 0 && !final) return this.keep(lt);
      if (!this.closeText()) return lt;
      this.emit(buf, lt, p + 7);
      const end = close < 0 ? len : close;
      this.text(buf, p + 7, end);
      if (close < 0) return len;
      this.emitCdataClose(buf, close);
      return close + 3;
    }
    return this.bogusComment(buf, lt, p, len, final);
  }

  emitCdataClose(buf, close) {
    if (this.pending === null) { this.emit(buf, close, close + 3); return; }
    const p = this.pending;
    this.pending = p.then(() => this.emit(buf, close, close + 3));
  }

  /** `<!--` … `-->` (also `--!>`; `<!-->` and `<!--->` are empty comments). */
  fullComment(buf, lt, textS, len, final) {
    let end = -1, textE = -1;
    if (textS < len && buf[textS] === HR_GT) { end = textS + 1; textE = textS; }
    else if (textS + 1 < len && buf[textS] === HR_DASH && buf[textS + 1] === HR_GT) { end = textS + 2; textE = textS; }
    else {
      let i = textS;
      while (true) {
        const dash = hrIndexOfSeq(buf, HR_DASH_DASH, i, len);
        if (dash < 0 || dash + 2 >= len) break;
        let k = dash + 2;
        while (k < len && buf[k] === HR_DASH) k++;
        if (k >= len) break;
        if (buf[k] === HR_GT) { end = k + 1; textE = k - 2; break; }
        if (buf[k] === HR_BANG && k + 1 < len && buf[k + 1] === HR_GT) { end = k + 2; textE = k - 2; break; }
        if (buf[k] === HR_BANG && k + 1 >= len) break;
        i = dash + 1;
      }
    }
    if (end < 0) {
      if (!final) return this.keep(lt);
      end = textE = len;
    }
    if (!this.closeText()) return lt;
    this.comment(buf, lt, end, textS, textE);
    return end;
  }

  /** Whether buf[i…] is the end tag that ends the current RCDATA/RAWTEXT/script element: its name end, null (need more) or -1. */
  appropriateEndTag(buf, i, len) {
    const name = this.endTagName;
    const m = hrMatchesCi(buf, i + 2, len, name);
    if (m === null) return null;
    if (!m) return -1;
    const k = i + 2 + name.length;
    if (k >= len) return null;
    const b = buf[k];
    return hrIsWs(b) || b === HR_SLASH || b === HR_GT ? k : -1;
  }

  /** RCDATA and RAWTEXT: text until the element's own end tag. */
  rawText(buf, pos, len, final) {
    const lt = buf.indexOf(HR_LT, pos);
    if (lt < 0) return this.tailText(buf, pos, len, final);
    if (lt > pos) { this.text(buf, pos, lt); if (this.pending !== null) return lt; }
    if (lt + 1 >= len) { if (!final) return this.keep(lt); this.text(buf, lt, len); return len; }
    if (buf[lt + 1] !== HR_SLASH) { this.text(buf, lt, lt + 1); return lt + 1; }
    return this.closeRawText(buf, lt, len, final);
  }

  /** At `</` in RCDATA, RAWTEXT or script data: the end tag, or the `</name` run as a text chunk of its own. */
  closeRawText(buf, lt, len, final) {
    if (lt + 2 >= len) { if (!final) return this.keep(lt); this.text(buf, lt, len); return len; }
    if (!hrIsAlpha(buf[lt + 2])) { this.text(buf, lt, lt + 2); return lt + 2; }
    const k = this.appropriateEndTag(buf, lt, len);
    if (k === null) {
      if (!final) return this.keep(lt);
      this.text(buf, lt, len);
      return len;
    }
    if (k < 0) {
      let j = lt + 2;
      while (j < len && hrIsAlpha(buf[j])) j++;
      if (j >= len && !final) return this.keep(lt);
      this.text(buf, lt, j);
      return j;
    }
    const end = hrTagEnd(buf, lt, len);
    if (end === HR_NEED_MORE) return final ? this.rawAtEof(buf, lt, len) : this.keep(lt);
    if (!this.closeText()) return lt;
    this.scriptState = 0;
    this.endTag(buf, lt, end);
    return end;
  }

  /**
   * Script data with its escaped (`<!--`) and double-escaped (`<script>` inside) states, as lol-html
   * splits them. Escaped text is not handed out at chunk ends (lol-html's escaped states have no
   * end-of-chunk rule): it waits, kept with the carry, for the next point that emits text.
   */
  scriptData(buf, pos, len, final) {
    let i = pos + this.scriptScanned;
    this.scriptScanned = 0;
    while (i < len) {
      const state = this.scriptState;
      if (state === 0) {
        const lt = buf.indexOf(HR_LT, i);
        if (lt < 0) return this.tailText(buf, pos, len, final);
        if (lt > pos) { this.text(buf, pos, lt); if (this.pending !== null) return lt; }
        pos = lt;
        if (lt + 1 >= len) { if (!final) return this.keep(lt); this.text(buf, lt, len); return len; }
        const c = buf[lt + 1];
        if (c === HR_SLASH) return this.closeRawText(buf, lt, len, final);
        if (c === HR_BANG) {
          if (lt + 3 >= len && !final) return this.keep(lt);
          if (buf[lt + 2] === HR_DASH && buf[lt + 3] === HR_DASH) { this.scriptState = 1; i = lt + 4; continue; }
          // "<!" without "--": the '<' ended the text before it; what follows is more script text.
          i = lt + 2;
          continue;
        }
        this.text(buf, lt, lt + 1);
        return lt + 1;
      }
      // Escaped or double escaped: look for "-->" (back to script data) and '<'.
      let j = i;
      while (j < len && buf[j] !== HR_LT && buf[j] !== HR_GT) j++;
      if (j >= len) break;
      if (buf[j] === HR_GT) {
        if (j - 2 >= pos && buf[j - 1] === HR_DASH && buf[j - 2] === HR_DASH) {
          this.scriptState = 0;
          this.text(buf, pos, j);
          return j;
        }
        i = j + 1;
        continue;
      }
      if (state === 1) {
        if (j + 1 >= len && !final) break;
        if (j + 1 < len && buf[j + 1] === HR_SLASH) {
          if (j > pos) { this.text(buf, pos, j); if (this.pending !== null) return j; }
          return this.closeRawText(buf, j, len, final);
        }
        const isScript = hrMatchesCi(buf, j + 1, len, "script");
        if ((isScript === null || (isScript && j + 7 >= len)) && !final) break;
        if (j > pos) { this.text(buf, pos, j); if (this.pending !== null) return j; }
        pos = j;
        if (isScript && j + 7 < len && (hrIsWs(buf[j + 7]) || buf[j + 7] === HR_SLASH || buf[j + 7] === HR_GT)) { this.scriptState = 2; i = j + 8; continue; }
        this.text(buf, j, j + 1);
        return j + 1;
      }
      // double escaped: "</script" ends the double escape
      if (j > pos) { this.text(buf, pos, j); if (this.pending !== null) return j; }
      pos = j;
      if (j + 1 < len && buf[j + 1] === HR_SLASH) {
        const isScript = hrMatchesCi(buf, j + 2, len, "script");
        if ((isScript === null || (isScript && j + 8 >= len)) && !final) { this.scriptScanned = j - pos; return this.keep(pos); }
        if (isScript && j + 8 < len && (hrIsWs(buf[j + 8]) || buf[j + 8] === HR_SLASH || buf[j + 8] === HR_GT)) { this.scriptState = 1; i = j + 9; continue; }
      }
      i = j + 1;
    }
    if (this.scriptState !== 0 && !final) {
      this.scriptScanned = i - pos;
      return this.keep(pos);
    }
    return this.tailText(buf, pos, len, final);
  }

  async end() {
    await this.write(EMPTY_BYTES, true);
    if (this.docEnd.length === 0) return;
    const st = { valid: true, mut: new HrMutations() };
    const token = Object.create(DocumentEnd.prototype);
    token[kState] = st;
    const p = hrRun(this.docEnd, 0, token, st, () => {
      this.removeDepth = 0;
      if (st.mut.before !== null) for (const s of st.mut.before) this.emitString(s);
    });
    if (p !== null) await p;
  }
}

// Tag names that may switch the content model or the namespace, by first letter (when nothing else needs names).
const HR_MAY_SWITCH = (() => {
  const t = new Uint8Array(256);
  for (const c of "stpixnmSTPIXNM") t[c.charCodeAt(0)] = 1;
  return t;
})();
const HR_DASH_DASH = [HR_DASH, HR_DASH];

/** name, publicId and systemId of `<!DOCTYPE …>` (from after "<!DOCTYPE" to the end). */
function hrParseDoctype(doc, buf, i, e) {
  const text = doc.encoding.decode(buf, i, buf[e - 1] === HR_GT ? e - 1 : e);
  const m = /^[\t\n\f\r ]*([^\t\n\f\r >]*)[\t\n\f\r ]*(.*)$/s.exec(text);
  const name = m[1] === "" ? null : m[1].replace(/[A-Z]+/g, (x) => x.toLowerCase());
  let publicId = null, systemId = null;
  const rest = m[2];
  const quoted = (s) => { const q = /^[\t\n\f\r ]*(["'])([^]*?)(?:\1|$)/.exec(s); return q ? [q[2], s.slice(q[0].length)] : null; };
  if (/^public/i.test(rest)) {
    const a = quoted(rest.slice(6));
    if (a) { publicId = a[0]; const b = quoted(a[1]); if (b) systemId = b[0]; }
  } else if (/^system/i.test(rest)) {
    const a = quoted(rest.slice(6));
    if (a) systemId = a[0];
  }
  return { name, publicId, systemId };
}

// ---- HTMLRewriter ---------------------------------------------------------------------------------------
function hrHandler(handlers, name, where) {
  const fn = handlers[name];
  if (fn === undefined || fn === null) return null;
  if (typeof fn !== "function") throw new TypeError(`Incorrect type for the '${name}' field on '${where}': the provided value is not of type 'function'.`);
  return fn;
}

class HTMLRewriter {
  constructor() { this[kState] = { entries: [], docHandlers: [], needs: { types: false, ancestorAttrs: false, nth: false, ancestors: false } }; }

  on(selector, handlers) {
    const st = hrState(this);
    if (selector === undefined) throw new TypeError("Failed to execute 'on' on 'HTMLRewriter': parameter 1 is not of type 'string'.");
    selector = toDOMString(selector);
    if (handlers === null || (typeof handlers !== "object" && typeof handlers !== "function")) {
      throw new TypeError("Failed to execute 'on' on 'HTMLRewriter': parameter 2 is not of type 'ElementContentHandlers'.");
    }
    const selectors = new SelectorParser(selector).parseList();
    // The element types the selectors can match (null: any), a cheap first test for every tag.
    let tags = new Set();
    for (const sel of selectors) {
      const subject = sel.parts[sel.parts.length - 1];
      if (subject.tag === null) { tags = null; break; }
      tags.add(subject.tag);
    }
    const entry = {
      selectors, tags,
      element: hrHandler(handlers, "element", "ElementContentHandlers"),
      comments: hrHandler(handlers, "comments", "ElementContentHandlers"),
      text: hrHandler(handlers, "text", "ElementContentHandlers"),
      thisArg: handlers, active: 0,
    };
    st.entries.push(entry);
    const needs = hrSelectorNeeds(selectors);
    for (const k of Object.keys(needs)) st.needs[k] ||= needs[k];
    return this;
  }

  onDocument(handlers) {
    const st = hrState(this);
    if (handlers === null || (typeof handlers !== "object" && typeof handlers !== "function")) {
      throw new TypeError("Failed to execute 'onDocument' on 'HTMLRewriter': parameter 1 is not of type 'DocumentContentHandlers'.");
    }
    st.docHandlers.push({
      doctype: hrHandler(handlers, "doctype", "DocumentContentHandlers"),
      comments: hrHandler(handlers, "comments", "DocumentContentHandlers"),
      text: hrHandler(handlers, "text", "DocumentContentHandlers"),
      end: hrHandler(handlers, "end", "DocumentContentHandlers"),
      thisArg: handlers,
    });
    return this;
  }

  transform(response) {
    const st = hrState(this);
    if (!(response instanceof Response)) throw new TypeError("Failed to execute 'transform' on 'HTMLRewriter': parameter 1 is not of type 'Response'.");
    const rs = response[kState];
    if (bodyUsed(rs.body)) throw new TypeError(BODY_USED);
    const init = { status: rs.status, statusText: rs.statusText, headers: new Headers(rs.headers), encodeBody: rs.encodeBody };
    if (rs.body.kind === "none") return new Response(null, init);
    const source = bodyStream(rs.body);
    rs.body.used = true;
    // Each transform gets its own handler entries (their active counts) and document state.
    const entries = st.entries.map((e) => ({ ...e, active: 0 }));
    const doc = new HrDocument(entries, st.docHandlers.slice(), st.needs, new HrEncoding(rs.headers.get("content-type")));
    const reader = acquireDefaultReader(source[kState]);
    const read = () => new Promise((resolve, reject) => readerRead(reader, {
      chunk: (value) => resolve(value), close: () => resolve(undefined), error: reject,
    }));
    let done = false;
    // Pulled by the reader: one input chunk is rewritten per pull, so nothing is read ahead.
    const rec = createReadableStream({
      async pull() {
        const c = rec.controller;
        while (!done) {
          const value = await read();
          if (value === undefined) {
            done = true;
            await doc.end();
          } else {
            if (!isBufferSource(value)) throw new TypeError("This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
            await doc.write(bytesView(value), false);
          }
          const out = doc.takeOutput();
          if (out !== null) defaultControllerEnqueue(c, out);
          if (done) { defaultControllerClose(c); return; }
          if (out !== null) return;
        }
      },
      cancel(reason) { return readableStreamCancel(source[kState], reason); },
    }, 0);
    const body = rec.obj;
    return new Response(body, init);
  }
}
webidlInterface(HTMLRewriter);

function hrState(r) {
  const st = r?.[kState];
  if (st === undefined || !(r instanceof HTMLRewriter)) throw illegalInvocation();
  return st;
}

defineGlobal("HTMLRewriter", HTMLRewriter);
