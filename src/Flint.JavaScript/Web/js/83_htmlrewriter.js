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
  let types = false, ancestorAttrs = false;
  const visit = (comp, ancestor) => {
    for (const n of comp.nth) if (n.ofType) types = true;
    if (ancestor && (comp.id !== null || comp.classes.length || comp.attrs.length || comp.not.length)) ancestorAttrs = true;
    for (const inner of comp.not) visit(inner, ancestor);
  };
  for (const sel of list) sel.parts.forEach((p, i) => visit(p, i < sel.parts.length - 1));
  return { types, ancestorAttrs };
}

// ---- bytes and text --------------------------------------------------------------------------
const HR_LT = 0x3c, HR_GT = 0x3e, HR_SLASH = 0x2f, HR_BANG = 0x21, HR_QUESTION = 0x3f, HR_DASH = 0x2d, HR_EQ = 0x3d;
const HR_DQ = 0x22, HR_SQ = 0x27;

function hrIsWs(b) { return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d; }
function hrIsAlpha(b) { return (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a); }
function hrLower(b) { return b >= 0x41 && b <= 0x5a ? b + 32 : b; }

/** ASCII-lower-cased bytes as a string: tag and attribute names. */
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

class HrAttribute {
  constructor(doc, buf, nameS, nameE, valueS, valueE, rawS, rawE) {
    this.doc = doc;
    this.rawName = buf.subarray(nameS, nameE);
    this.name = hrLowerName(buf, nameS, nameE);
    this.valueBytes = buf.subarray(valueS, valueE);
    this.raw = buf.subarray(rawS, rawE);
    this.text = null; // the decoded or set value
  }
  value() { return this.text ??= this.doc.encoding.decode(this.valueBytes, 0, this.valueBytes.length); }
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
    if (a !== null) { a.text = value; a.raw = null; }
    else {
      const added = Object.create(HrAttribute.prototype);
      Object.assign(added, { doc: st.doc, rawName: null, name: lower, valueBytes: null, raw: null, text: value });
      attrs.push(added);
    }
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
  serialize(doc, out) {
    if (!this.modified) { out.push(this.buf.subarray(this.s, this.e)); return; }
    let head = "<" + (this.newName ?? "");
    out.push(doc.encoding.encode(head === "<" ? "<" : head));
    if (this.newName === null) out.push(this.buf.subarray(this.nameS, this.nameE));
    const attrs = this.attrs();
    for (const a of attrs) {
      out.push(HR_SPACE);
      if (a.raw !== null) out.push(a.raw);
      else {
        out.push(a.rawName ?? doc.encoding.encode(a.name));
        out.push(doc.encoding.encode(`="${a.value().replace(/"/g, "&quot;")}"`));
      }
    }
    out.push(this.selfClosing ? (attrs.length > 0 ? HR_SPACE_SELF_CLOSE : HR_SELF_CLOSE) : HR_GT_BYTES);
  }
}
const HR_SPACE = new Uint8Array([0x20]), HR_SELF_CLOSE = new Uint8Array([0x2f, 0x3e]), HR_SPACE_SELF_CLOSE = new Uint8Array([0x20, 0x2f, 0x3e]);
const HR_GT_BYTES = new Uint8Array([0x3e]);

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
    list.push(new HrAttribute(doc, buf, nameS, nameE, valueS, valueE, nameS, rawE));
  }
  return list;
}

/**
 * The end of the tag starting at `i` ('<' at i): the index after its '>', or HR_NEED_MORE. Quotes
 * count only where an attribute value may start (after '=').
 */
function hrTagEnd(buf, i, len) {
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

/** Everything one transform() keeps between input chunks. */
class HrDocument {
  constructor(entries, docHandlers, needs, encoding) {
    this.entries = entries;          // [{ selectors, element, comments, text, thisArg, active }]
    this.docHandlers = docHandlers;  // [{ doctype, comments, text, end, thisArg }]
    this.trackTypes = needs.types;
    this.keepAttrs = needs.ancestorAttrs;
    this.encoding = encoding;
    this.docText = docHandlers.some((h) => h.text !== null);
    this.docComments = docHandlers.some((h) => h.comments !== null);
    this.textHandlers = 0;           // open elements whose matched entries have text handlers
    this.commentHandlers = 0;
    this.frames = [];
    this.root = { children: 0, types: null };
    this.removeDepth = 0;
    this.ns = [HR_NS_HTML];
    this.textType = TT_DATA;
    this.endTagName = null;          // the element whose end tag ends RCDATA / RAWTEXT / script data
    this.scriptState = 0;            // 0 script data, 1 escaped, 2 double escaped
    this.carry = null;               // bytes of an unfinished token, kept for the next chunk
    this.textOpen = false;           // a text chunk of the current text node was handed out
    this.out = [];
    this.tokens = [];                // tokens to invalidate when their handler is done
  }

  get currentNs() { return this.ns[this.ns.length - 1]; }
  get allowCdata() { return this.currentNs !== HR_NS_HTML; }
  wantsText() { return this.textHandlers > 0 || this.docText; }
  emit(bytes) { if (this.removeDepth === 0 && bytes.byteLength > 0) this.out.push(bytes); }
  emitString(s) { if (this.removeDepth === 0 && s.length > 0) this.out.push(this.encoding.encode(s)); }
  emitMutated(mut, raw) {
    if (this.removeDepth !== 0) return;
    if (mut.before !== null) for (const s of mut.before) this.emitString(s);
    if (mut.removed) { if (mut.replacement !== null) this.emitString(mut.replacement); }
    else if (raw !== null) raw();
    if (mut.after !== null) for (const s of mut.after) this.emitString(s);
  }

  takeOutput() {
    const out = this.out;
    this.out = [];
    return out.length === 0 ? null : concatBytes(out);
  }

  /** Calls a handler; a promise it returns is awaited before the rewriter goes on. */
  static call(fn, thisArg, token) {
    const result = fn.call(thisArg, token);
    if (result !== null && typeof result === "object" && typeof result.then === "function") return Promise.resolve(result);
    if (typeof result === "function" && typeof result.then === "function") return Promise.resolve(result);
    return null;
  }

  // ---- text ------------------------------------------------------------------------------------
  /** One text chunk, bytes [s, e) of buf; handed to text handlers when any are active. */
  async text(buf, s, e) {
    if (e <= s) return;
    if (!this.wantsText()) { this.emit(buf.subarray(s, e)); return; }
    this.textOpen = true;
    await this.dispatchText(buf, s, e, false);
  }

  /** The empty last chunk of a text node, when the node gave out any chunk. */
  async endTextNode() {
    if (!this.textOpen) return;
    this.textOpen = false;
    if (this.wantsText()) await this.dispatchText(EMPTY_BYTES, 0, 0, true);
  }

  async dispatchText(buf, s, e, last) {
    const st = { valid: true, doc: this, buf, s, e, text: null, last, mut: new HrMutations() };
    const token = Object.create(Text.prototype);
    token[kState] = st;
    try {
      if (this.textHandlers > 0) {
        for (const entry of this.entries) {
          if (entry.active === 0 || entry.text === null) continue;
          const p = HrDocument.call(entry.text, entry.thisArg, token);
          if (p !== null) await p;
        }
      }
      for (const h of this.docHandlers) {
        if (h.text === null) continue;
        const p = HrDocument.call(h.text, h.thisArg, token);
        if (p !== null) await p;
      }
    } finally {
      st.valid = false;
    }
    this.emitMutated(st.mut, e > s ? () => this.emit(buf.subarray(s, e)) : null);
  }

  // ---- comments and doctypes ---------------------------------------------------------------------
  async comment(buf, s, e, textS, textE) {
    await this.endTextNode();
    if (this.commentHandlers === 0 && !this.docComments) { this.emit(buf.subarray(s, e)); return; }
    const st = { valid: true, doc: this, buf, textS, textE, text: null, changed: false, mut: new HrMutations() };
    const token = Object.create(Comment.prototype);
    token[kState] = st;
    try {
      if (this.commentHandlers > 0) {
        for (const entry of this.entries) {
          if (entry.active === 0 || entry.comments === null) continue;
          const p = HrDocument.call(entry.comments, entry.thisArg, token);
          if (p !== null) await p;
        }
      }
      for (const h of this.docHandlers) {
        if (h.comments === null) continue;
        const p = HrDocument.call(h.comments, h.thisArg, token);
        if (p !== null) await p;
      }
    } finally {
      st.valid = false;
    }
    this.emitMutated(st.mut, () => {
      if (st.changed) this.emitString(`<!--${st.text}-->`);
      else this.emit(buf.subarray(s, e));
    });
  }

  async doctype(buf, s, e) {
    await this.endTextNode();
    const handlers = this.docHandlers.filter((h) => h.doctype !== null);
    if (handlers.length > 0) {
      const st = { valid: true, ...hrParseDoctype(this, buf, s + 9, e) };
      const token = Object.create(Doctype.prototype);
      token[kState] = st;
      try {
        for (const h of handlers) {
          const p = HrDocument.call(h.doctype, h.thisArg, token);
          if (p !== null) await p;
        }
      } finally { st.valid = false; }
    }
    this.emit(buf.subarray(s, e));
  }

  // ---- tags ---------------------------------------------------------------------------------------
  async startTag(buf, s, e) {
    await this.endTextNode();
    let nameE = s + 1;
    while (nameE < e && !hrIsWs(buf[nameE]) && buf[nameE] !== HR_SLASH && buf[nameE] !== HR_GT) nameE++;
    const name = hrLowerName(buf, s + 1, nameE);
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
        const tag = new HrStartTag(this, buf, s, e, s + 1, nameE, selfClosing, this.currentNs, name);
        if (name === "font") { if (tag.attrs().some((a) => a.name === "color" || a.name === "size" || a.name === "face")) { if (this.ns.length > 1) this.ns.pop(); } }
        else if (!selfClosing && tag.attrs().some((a) => a.name === "encoding" && /^(text\/html|application\/xhtml\+xml)$/i.test(a.value()))) enterAfter = HR_NS_HTML;
      }
    }
    const ns = this.currentNs;
    if (enterAfter !== null) this.ns.push(enterAfter);

    const canHaveContent = ns === HR_NS_HTML ? !HR_VOID.has(name) : !selfClosing;
    const entries = this.entries;
    if (entries.length === 0) {
      this.emit(buf.subarray(s, e));
      if (ns === HR_NS_HTML && canHaveContent) this.switchTextType(name);
      return;
    }
    const parent = this.frames.length > 0 ? this.frames[this.frames.length - 1] : this.root;
    const tag = new HrStartTag(this, buf, s, e, s + 1, nameE, selfClosing, ns, name);
    tag.childIndex = ++parent.children;
    if (this.trackTypes) {
      parent.types ??= new Map();
      tag.typeIndex = (parent.types.get(name) ?? 0) + 1;
      parent.types.set(name, tag.typeIndex);
    }
    let matched = null;
    for (const entry of entries) {
      for (const sel of entry.selectors) {
        if (hrMatchComplex(sel, tag, this.frames)) { (matched ??= []).push(entry); break; }
      }
    }
    const frame = canHaveContent ? new HrFrame(name, ns, tag.childIndex, tag.typeIndex, null) : null;
    let st = null;
    if (matched !== null && matched.some((m) => m.element !== null)) {
      st = { valid: true, doc: this, tag, frame, mut: new HrMutations(), contentAfter: null };
      const token = Object.create(Element.prototype);
      token[kState] = st;
      try {
        for (const entry of matched) {
          if (entry.element === null) continue;
          const p = HrDocument.call(entry.element, entry.thisArg, token);
          if (p !== null) await p;
        }
      } finally { st.valid = false; }
    }
    // The start tag, then what goes right after it (prepend, setInnerContent).
    if (st === null) this.emit(buf.subarray(s, e));
    else {
      this.emitMutated(st.mut, () => tag.serialize(this, this.out));
      if (st.contentAfter !== null && !st.mut.removed) for (const c of st.contentAfter) this.emitString(c);
      else if (st.contentAfter !== null && frame === null) for (const c of st.contentAfter) this.emitString(c);
    }
    if (frame !== null) {
      if (this.keepAttrs) frame.savedAttrs = tag.attrs().map((a) => ({ name: a.name, v: a.value(), value() { return this.v; } }));
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
      if (ns === HR_NS_HTML) this.switchTextType(name);
    }
  }

  switchTextType(name) {
    const type = HR_TEXT_TYPE.get(name);
    if (type === undefined) return;
    this.textType = type;
    this.endTagName = name;
    this.scriptState = 0;
  }

  async endTag(buf, s, e) {
    await this.endTextNode();
    let nameE = s + 2;
    while (nameE < e && !hrIsWs(buf[nameE]) && buf[nameE] !== HR_SLASH && buf[nameE] !== HR_GT) nameE++;
    const name = hrLowerName(buf, s + 2, nameE);
    this.textType = TT_DATA;
    this.endTagName = null;
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
    if (this.entries.length > 0) for (let f = frames.length - 1; f >= 0; f--) if (frames[f].name === name) { index = f; break; }
    if (index < 0) { this.emit(buf.subarray(s, e)); return; }
    const popped = frames.splice(index);
    let handlers = null, mutated = null;
    for (const f of popped) {
      if (f.entries !== null) for (const m of f.entries) {
        m.active--;
        if (m.text !== null) this.textHandlers--;
        if (m.comments !== null) this.commentHandlers--;
      }
      if (f.removeContent) this.removeDepth--;
      if (f.endHandler !== null) (handlers ??= []).push(f.endHandler);
      if (f.endMutations !== null || f.endName !== null) (mutated ??= []).push(f);
    }
    if (handlers === null && mutated === null) { this.emit(buf.subarray(s, e)); return; }
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
    if (handlers !== null) {
      const token = Object.create(EndTag.prototype);
      token[kState] = st;
      try {
        for (const h of handlers) {
          const p = HrDocument.call(h, undefined, token);
          if (p !== null) await p;
        }
      } finally { st.valid = false; }
    }
    this.emitMutated(st.mut, () => {
      if (st.renamed) this.emitString(`</${st.name}>`);
      else this.emit(buf.subarray(s, e));
    });
  }

  // ---- the tokenizer ----------------------------------------------------------------------------------
  /**
   * Rewrites what can be rewritten of `chunk` (after what the last chunk left); at `final` the
   * rest too. Output collects in this.out.
   */
  async write(chunk, final) {
    let buf = chunk;
    if (this.carry !== null) { buf = concatBytes([this.carry, chunk]); this.carry = null; }
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      let next;
      switch (this.textType) {
        case TT_DATA: next = await this.data(buf, pos, len, final); break;
        case TT_PLAINTEXT: await this.text(buf, pos, len); next = len; break;
        case TT_SCRIPT: next = await this.scriptData(buf, pos, len, final); break;
        default: next = await this.rawText(buf, pos, len, final); break;
      }
      if (next === HR_NEED_MORE) break;
      pos = next;
    }
    if (this.carryFrom !== undefined) {
      this.carry = buf.slice(this.carryFrom);
      this.carryFrom = undefined;
    }
    if (final) await this.endTextNode();
  }

  /** Keeps buf[from…] for the next chunk (an unfinished token or character). */
  keep(from) { this.carryFrom = from; return HR_NEED_MORE; }

  /** Text [pos, end) at the end of the input so far: all of it at the end, else up to an unfinished character. */
  async tailText(buf, pos, len, final) {
    const hold = final ? 0 : this.encoding.incompleteTail(buf, pos, len);
    await this.text(buf, pos, len - hold);
    return hold > 0 ? this.keep(len - hold) : len;
  }

  async data(buf, pos, len, final) {
    const lt = buf.indexOf(HR_LT, pos);
    if (lt < 0) return this.tailText(buf, pos, len, final);
    await this.text(buf, pos, lt);
    if (lt + 1 >= len) {
      if (!final) return this.keep(lt);
      await this.text(buf, lt, len);
      return len;
    }
    const c = buf[lt + 1];
    if (hrIsAlpha(c)) {
      const end = hrTagEnd(buf, lt, len);
      if (end === HR_NEED_MORE) return final ? this.rawAtEof(buf, lt, len) : this.keep(lt);
      await this.startTag(buf, lt, end);
      return end;
    }
    if (c === HR_SLASH) {
      if (lt + 2 >= len) { if (!final) return this.keep(lt); await this.text(buf, lt, len); return len; }
      const d = buf[lt + 2];
      if (hrIsAlpha(d)) {
        const end = hrTagEnd(buf, lt, len);
        if (end === HR_NEED_MORE) return final ? this.rawAtEof(buf, lt, len) : this.keep(lt);
        await this.endTag(buf, lt, end);
        return end;
      }
      if (d === HR_GT) { this.emit(buf.subarray(lt, lt + 3)); return lt + 3; } // "</>" is dropped as a token, kept as bytes
      return this.bogusComment(buf, lt, lt + 2, len, final);
    }
    if (c === HR_BANG) return this.markupDeclaration(buf, lt, len, final);
    if (c === HR_QUESTION) return this.bogusComment(buf, lt, lt + 1, len, final);
    // A '<' that starts nothing is text of its own.
    await this.text(buf, lt, lt + 1);
    return lt + 1;
  }

  /** An unfinished tag at the end of the input is passed through as it is, as no token. */
  rawAtEof(buf, s, len) {
    this.emit(buf.subarray(s, len));
    return len;
  }

  async bogusComment(buf, s, textS, len, final) {
    const gt = buf.indexOf(HR_GT, textS);
    if (gt < 0) {
      if (!final) return this.keep(s);
      await this.comment(buf, s, len, textS, len);
      return len;
    }
    await this.comment(buf, s, gt + 1, textS, gt);
    return gt + 1;
  }

  async markupDeclaration(buf, lt, len, final) {
    const p = lt + 2;
    if (p + 2 > len && !final) return this.keep(lt);
    if (buf[p] === HR_DASH && buf[p + 1] === HR_DASH) return this.fullComment(buf, lt, p + 2, len, final);
    const doctype = hrMatchesCi(buf, p, len, "doctype");
    if (doctype === null && !final) return this.keep(lt);
    if (doctype === true) {
      const gt = buf.indexOf(HR_GT, p + 7);
      if (gt < 0) { if (!final) return this.keep(lt); await this.doctype(buf, lt, len); return len; }
      await this.doctype(buf, lt, gt + 1);
      return gt + 1;
    }
    let cdata = true;
    for (let k = 0; k < HR_CDATA_OPEN.length; k++) {
      if (p + k >= len) { if (!final) return this.keep(lt); cdata = false; break; }
      if (buf[p + k] !== HR_CDATA_OPEN[k]) { cdata = false; break; }
    }
    if (cdata && this.allowCdata) {
      // In svg and math a CDATA section is text: its markers pass through, its content is a text chunk.
      const close = hrIndexOfSeq(buf, HR_CDATA_CLOSE, p + 7, len);
      if (close < 0 && !final) return this.keep(lt);
      await this.endTextNode();
      this.emit(buf.subarray(lt, p + 7));
      const end = close < 0 ? len : close;
      await this.text(buf, p + 7, end);
      if (close >= 0) { this.emit(buf.subarray(close, close + 3)); return close + 3; }
      return len;
    }
    return this.bogusComment(buf, lt, p, len, final);
  }

  /** `<!--` … `-->` (also `--!>`; `<!-->` and `<!--->` are empty comments). */
  async fullComment(buf, lt, textS, len, final) {
    if (textS < len && buf[textS] === HR_GT) { await this.comment(buf, lt, textS + 1, textS, textS); return textS + 1; }
    if (textS + 1 < len && buf[textS] === HR_DASH && buf[textS + 1] === HR_GT) { await this.comment(buf, lt, textS + 2, textS, textS); return textS + 2; }
    let i = textS;
    while (true) {
      const dash = hrIndexOfSeq(buf, [HR_DASH, HR_DASH], i, len);
      if (dash < 0 || dash + 2 >= len) {
        if (!final) return this.keep(lt);
        await this.comment(buf, lt, len, textS, len);
        return len;
      }
      let k = dash + 2;
      while (k < len && buf[k] === HR_DASH) k++;
      if (k >= len) { if (!final) return this.keep(lt); await this.comment(buf, lt, len, textS, len); return len; }
      if (buf[k] === HR_GT) { await this.comment(buf, lt, k + 1, textS, k - 2); return k + 1; }
      if (buf[k] === HR_BANG && k + 1 < len && buf[k + 1] === HR_GT) { await this.comment(buf, lt, k + 2, textS, k - 2); return k + 2; }
      if (buf[k] === HR_BANG && k + 1 >= len && !final) return this.keep(lt);
      i = dash + 1;
    }
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
  async rawText(buf, pos, len, final) {
    let from = pos;
    while (true) {
      const lt = buf.indexOf(HR_LT, from);
      if (lt < 0) return this.tailText(buf, pos, len, final);
      await this.text(buf, pos, lt);
      pos = lt;
      if (lt + 1 >= len) { if (!final) return this.keep(lt); await this.text(buf, lt, len); return len; }
      if (buf[lt + 1] !== HR_SLASH) { await this.text(buf, lt, lt + 1); pos = from = lt + 1; continue; }
      const r = await this.closeRawText(buf, lt, len, final);
      if (r !== undefined) return r;
      pos = from = this.rawResume;
    }
  }

  /** At `</` in RCDATA, RAWTEXT or script data: the end tag, or the `</name` run as a text chunk of its own. */
  async closeRawText(buf, lt, len, final) {
    if (lt + 2 >= len) { if (!final) return this.keep(lt); await this.text(buf, lt, len); return len; }
    if (!hrIsAlpha(buf[lt + 2])) { await this.text(buf, lt, lt + 2); this.rawResume = lt + 2; return undefined; }
    const k = this.appropriateEndTag(buf, lt, len);
    if (k === null) {
      if (!final) return this.keep(lt);
      await this.text(buf, lt, len);
      return len;
    }
    if (k < 0) {
      let j = lt + 2;
      while (j < len && hrIsAlpha(buf[j])) j++;
      if (j >= len && !final) return this.keep(lt);
      await this.text(buf, lt, j);
      this.rawResume = j;
      return undefined;
    }
    const end = hrTagEnd(buf, lt, len);
    if (end === HR_NEED_MORE) return final ? this.rawAtEof(buf, lt, len) : this.keep(lt);
    await this.endTag(buf, lt, end);
    return end;
  }

  /** Script data with its escaped (`<!--`) and double-escaped (`<script>` inside) states, as lol-html splits them. */
  async scriptData(buf, pos, len, final) {
    let i = pos;
    while (i < len) {
      const state = this.scriptState;
      if (state === 0) {
        const lt = buf.indexOf(HR_LT, i);
        if (lt < 0) return this.tailText(buf, pos, len, final);
        await this.text(buf, pos, lt);
        pos = lt;
        if (lt + 1 >= len) { if (!final) return this.keep(lt); await this.text(buf, lt, len); return len; }
        const c = buf[lt + 1];
        if (c === HR_SLASH) {
          const r = await this.closeRawText(buf, lt, len, final);
          if (r !== undefined) return r;
          pos = i = this.rawResume;
          continue;
        }
        if (c === HR_BANG) {
          if (lt + 3 >= len && !final) return this.keep(lt);
          if (buf[lt + 2] === HR_DASH && buf[lt + 3] === HR_DASH) { this.scriptState = 1; i = lt + 4; continue; }
          // "<!" without "--": the '<' ended the text before it; what follows is more script text.
          i = lt + 2;
          continue;
        }
        await this.text(buf, lt, lt + 1);
        pos = i = lt + 1;
        continue;
      }
      // Escaped or double escaped: look for "-->" (back to script data) and '<'.
      let j = i;
      while (j < len && buf[j] !== HR_LT && buf[j] !== HR_GT) j++;
      if (j >= len) return this.tailText(buf, pos, len, final);
      if (buf[j] === HR_GT) {
        if (j >= 2 && j - 2 >= pos - 2 && buf[j - 1] === HR_DASH && buf[j - 2] === HR_DASH) {
          await this.text(buf, pos, j);
          pos = j;
          this.scriptState = 0;
        }
        i = j + 1;
        continue;
      }
      // '<' in escaped states
      if (state === 1) {
        await this.text(buf, pos, j);
        pos = j;
        if (j + 1 >= len) { if (!final) return this.keep(j); await this.text(buf, j, len); return len; }
        if (buf[j + 1] === HR_SLASH) {
          const r = await this.closeRawText(buf, j, len, final);
          if (r !== undefined) { this.scriptState = 0; return r; }
          pos = i = this.rawResume;
          continue;
        }
        const isScript = hrMatchesCi(buf, j + 1, len, "script");
        if (isScript === null || (isScript && j + 7 >= len)) { if (!final) return this.keep(j); }
        if (isScript && j + 7 < len && (hrIsWs(buf[j + 7]) || buf[j + 7] === HR_SLASH || buf[j + 7] === HR_GT)) { this.scriptState = 2; i = j + 8; continue; }
        await this.text(buf, j, j + 1);
        pos = i = j + 1;
        continue;
      }
      // double escaped: "</script" ends the double escape
      await this.text(buf, pos, j);
      pos = j;
      if (j + 1 < len && buf[j + 1] === HR_SLASH) {
        const isScript = hrMatchesCi(buf, j + 2, len, "script");
        if ((isScript === null || (isScript && j + 8 >= len)) && !final) return this.keep(j);
        if (isScript && j + 8 < len && (hrIsWs(buf[j + 8]) || buf[j + 8] === HR_SLASH || buf[j + 8] === HR_GT)) { this.scriptState = 1; i = j + 9; continue; }
      }
      i = j + 1;
    }
    return this.tailText(buf, pos, len, final);
  }

  async end() {
    await this.write(EMPTY_BYTES, true);
    const handlers = this.docHandlers.filter((h) => h.end !== null);
    if (handlers.length === 0) return;
    const st = { valid: true, mut: new HrMutations() };
    const token = Object.create(DocumentEnd.prototype);
    token[kState] = st;
    try {
      for (const h of handlers) {
        const p = HrDocument.call(h.end, h.thisArg, token);
        if (p !== null) await p;
      }
    } finally { st.valid = false; }
    this.removeDepth = 0;
    if (st.mut.before !== null) for (const s of st.mut.before) this.emitString(s);
  }
}

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
  constructor() { this[kState] = { entries: [], docHandlers: [], needs: { types: false, ancestorAttrs: false } }; }

  on(selector, handlers) {
    const st = hrState(this);
    if (selector === undefined) throw new TypeError("Failed to execute 'on' on 'HTMLRewriter': parameter 1 is not of type 'string'.");
    selector = toDOMString(selector);
    if (handlers === null || (typeof handlers !== "object" && typeof handlers !== "function")) {
      throw new TypeError("Failed to execute 'on' on 'HTMLRewriter': parameter 2 is not of type 'ElementContentHandlers'.");
    }
    const selectors = new SelectorParser(selector).parseList();
    const entry = {
      selectors,
      element: hrHandler(handlers, "element", "ElementContentHandlers"),
      comments: hrHandler(handlers, "comments", "ElementContentHandlers"),
      text: hrHandler(handlers, "text", "ElementContentHandlers"),
      thisArg: handlers, active: 0,
    };
    st.entries.push(entry);
    const needs = hrSelectorNeeds(selectors);
    st.needs.types ||= needs.types;
    st.needs.ancestorAttrs ||= needs.ancestorAttrs;
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
