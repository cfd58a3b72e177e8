// Blob and File (W3C File API) and FormData (XHR), with workerd's observable choices:
// `endings` is not implemented (an Error), a Blob appended to FormData without a filename
// becomes a File named after the field, names in multipart output escape `"` and LF only.
// A Blob holds its bytes in one immutable Uint8Array; slice() shares them.

const kBlob = internalSymbol("flint.blob");

function blobState(b) {
  const st = b?.[kBlob];
  if (st === undefined) throw illegalInvocation();
  return st;
}

/** The File API's type normalization: printable ASCII lowercased, anything else gives "". */
function normalizeBlobType(type) {
  for (let i = 0; i < type.length; i++) {
    const c = type.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return "";
  }
  return type.toLowerCase();
}

function blobPartsBytes(parts, who) {
  if (parts === undefined) return EMPTY_BYTES;
  if (parts === null || (typeof parts !== "object" && typeof parts !== "function") || typeof parts[Symbol.iterator] !== "function") {
    throw new TypeError(`Failed to construct '${who}': constructor parameter 1 is not of type 'Array'.`);
  }
  const chunks = [];
  let total = 0;
  for (const part of parts) {
    let bytes;
    if (part instanceof Blob) bytes = part[kBlob].bytes;
    else if (isBufferSource(part)) bytes = bytesCopy(part);
    else bytes = utf8Encode(toUSVString(part));
    chunks.push(bytes);
    total += bytes.byteLength;
  }
  if (chunks.length === 0) return EMPTY_BYTES;
  if (chunks.length === 1) return chunks[0] === EMPTY_BYTES ? EMPTY_BYTES : chunks[0].slice();
  return concatBytes(chunks, total);
}

function blobOptions(options, who) {
  if (options === undefined || options === null) return "";
  if (typeof options !== "object" && typeof options !== "function") {
    throw new TypeError(`Failed to construct '${who}': constructor parameter ${who === "File" ? 3 : 2} is not of type 'Options'.`);
  }
  if (options.endings !== undefined) throw new Error("The 'endings' field on 'Options' is not implemented.");
  const type = options.type;
  return type === undefined ? "" : normalizeBlobType(toDOMString(type));
}

/** Makes a Blob (or File, when name is a string) over bytes the caller gives up. */
function makeBlob(bytes, type, name = undefined, lastModified = 0) {
  const b = Object.create(name === undefined ? Blob.prototype : File.prototype);
  b[kBlob] = name === undefined ? { bytes, type } : { bytes, type, name, lastModified };
  return b;
}

/** workerd converts slice() bounds like a 64-bit integer: fractions drop, non-finite values become 0. */
function sliceIndex(v, size, fallback) {
  if (v === undefined) return fallback;
  let n = Number(v);
  n = Number.isFinite(n) ? Math.trunc(n) : 0;
  return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
}

class Blob {
  constructor(blobParts = undefined, options = undefined) {
    const type = blobOptions(options, "Blob");
    this[kBlob] = { bytes: blobPartsBytes(blobParts, "Blob"), type };
  }

  get size() { return blobState(this).bytes.byteLength; }
  get type() { return blobState(this).type; }

  slice(start = undefined, end = undefined, contentType = undefined) {
    const st = blobState(this);
    const size = st.bytes.byteLength;
    const from = sliceIndex(start, size, 0);
    const to = sliceIndex(end, size, size);
    const type = contentType === undefined ? "" : normalizeBlobType(toDOMString(contentType));
    return makeBlob(from < to ? st.bytes.subarray(from, to) : EMPTY_BYTES, type);
  }

  text() {
    try {
      // Blob.text() keeps a byte order mark, as workerd does.
      return Promise.resolve(utf8Decode(blobState(this).bytes, false, true));
    } catch (e) { return Promise.reject(e); }
  }

  arrayBuffer() {
    try { return Promise.resolve(blobState(this).bytes.slice().buffer); } catch (e) { return Promise.reject(e); }
  }

  bytes() {
    try { return Promise.resolve(blobState(this).bytes.slice()); } catch (e) { return Promise.reject(e); }
  }

  stream() {
    return bodyStream(makeBody("bytes", blobState(this).bytes));
  }
}
webidlInterface(Blob);

class File extends Blob {
  constructor(fileBits, fileName, options = undefined) {
    if (arguments.length < 2) throw new TypeError("Failed to construct 'File': constructor parameter 2 is not of type 'string'.");
    const type = blobOptions(options, "File");
    super(fileBits);
    const st = this[kBlob];
    st.type = type;
    st.name = toUSVString(fileName);
    const lm = options === undefined || options === null ? undefined : options.lastModified;
    if (lm === undefined) st.lastModified = Date.now();
    else {
      const n = Number(lm);
      st.lastModified = Number.isFinite(n) ? Math.trunc(n) : 0;
    }
  }

  get name() { return fileState(this).name; }
  get lastModified() { return fileState(this).lastModified; }
}
webidlInterface(File);

function fileState(f) {
  const st = f?.[kBlob];
  if (st === undefined || st.name === undefined) throw illegalInvocation();
  return st;
}

/** A Blob as a body: its bytes (copied: body readers may hand out the buffer) and its type. */
function blobBody(blob) {
  const st = blob[kBlob];
  return makeBody("bytes", st.bytes.slice(), st.type === "" ? null : st.type);
}

// ---- FormData ---------------------------------------------------------------------------

function formDataState(fd) {
  const st = fd?.[kState];
  if (st === undefined || !(fd instanceof FormData)) throw illegalInvocation();
  return st;
}

/** The entry a (name, value[, filename]) pair makes: strings as USVStrings, Blobs as Files. */
function formDataEntry(name, value, filename, hasFilename, method) {
  name = toUSVString(name);
  if (value instanceof Blob) {
    const st = value[kBlob];
    if (hasFilename && filename !== undefined) {
      return [name, makeBlob(st.bytes, st.type, toUSVString(filename), st.name !== undefined ? st.lastModified : Date.now())];
    }
    if (st.name !== undefined) return [name, value];
    return [name, makeBlob(st.bytes, st.type, name, Date.now())];
  }
  return [name, toUSVString(value)];
}

function needValue(count, method) {
  if (count < 2) throw new TypeError(`Failed to execute '${method}' on 'FormData': parameter 2 is not of type 'File or Blob or string'.`);
}

function needName(count, method) {
  if (count < 1) throw new TypeError(`Failed to execute '${method}' on 'FormData': parameter 1 is not of type 'string'.`);
}

class FormData {
  constructor(form = undefined) {
    this[kState] = { entries: [] };
  }

  append(name, value, filename = undefined) {
    const st = formDataState(this);
    needValue(arguments.length, "append");
    st.entries.push(formDataEntry(name, value, filename, arguments.length > 2, "append"));
  }

  set(name, value, filename = undefined) {
    const st = formDataState(this);
    needValue(arguments.length, "set");
    const entry = formDataEntry(name, value, filename, arguments.length > 2, "set");
    const i = st.entries.findIndex((e) => e[0] === entry[0]);
    if (i < 0) { st.entries.push(entry); return; }
    st.entries[i] = entry;
    st.entries = st.entries.filter((e, j) => j <= i || e[0] !== entry[0]);
  }

  get(name) {
    const st = formDataState(this);
    needName(arguments.length, "get");
    name = toUSVString(name);
    const e = st.entries.find((x) => x[0] === name);
    return e === undefined ? null : e[1];
  }

  getAll(name) {
    const st = formDataState(this);
    needName(arguments.length, "getAll");
    name = toUSVString(name);
    return st.entries.filter((x) => x[0] === name).map((x) => x[1]);
  }

  has(name) {
    const st = formDataState(this);
    needName(arguments.length, "has");
    name = toUSVString(name);
    return st.entries.some((x) => x[0] === name);
  }

  delete(name) {
    const st = formDataState(this);
    needName(arguments.length, "delete");
    name = toUSVString(name);
    st.entries = st.entries.filter((x) => x[0] !== name);
  }

  entries() { return formDataIterator(formDataState(this), 2); }
  keys() { return formDataIterator(formDataState(this), 0); }
  values() { return formDataIterator(formDataState(this), 1); }

  forEach(callback, thisArg = undefined) {
    const st = formDataState(this);
    if (typeof callback !== "function") throw new TypeError("Failed to execute 'forEach' on 'FormData': parameter 1 is not of type 'Function'.");
    for (let i = 0; i < st.entries.length; i++) {
      const [k, v] = st.entries[i];
      callback.call(thisArg, v, k, this);
    }
  }
}
webidlInterface(FormData);
Object.defineProperty(FormData.prototype, Symbol.iterator, { value: FormData.prototype.entries, writable: true, configurable: true });

// Iterators walk the live entry list by index, as Web IDL's pair iterators do.
const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
function makeIteratorPrototype(tag) {
  const proto = Object.create(iteratorPrototype);
  Object.defineProperty(proto, "next", {
    value: function next() {
      const it = this?.[kState];
      if (it === undefined || it.proto !== proto) throw illegalInvocation();
      const list = it.st.entries;
      if (it.index >= list.length) return { value: undefined, done: true };
      const [k, v] = list[it.index++];
      return { value: it.kind === 0 ? k : it.kind === 1 ? v : [k, v], done: false };
    },
    writable: true, enumerable: true, configurable: true,
  });
  Object.defineProperty(proto, Symbol.toStringTag, { value: tag, configurable: true });
  return proto;
}
const formDataIteratorPrototypes = [makeIteratorPrototype("KeyIterator"), makeIteratorPrototype("ValueIterator"), makeIteratorPrototype("EntryIterator")];

function formDataIterator(st, kind) {
  const proto = formDataIteratorPrototypes[kind];
  const it = Object.create(proto);
  it[kState] = { st, kind, index: 0, proto };
  return it;
}

// ---- multipart/form-data out ------------------------------------------------------------

function escapeMultipartName(s) {
  return s.replace(/["\n]/g, (c) => (c === '"' ? "%22" : "%0A"));
}

/** A FormData as a body: multipart/form-data with a random boundary, built as bytes. */
function formDataBody(fd) {
  const random = new Uint8Array(16);
  ops.randomFill(random);
  let boundary = "";
  for (const b of random) boundary += (b < 16 ? "0" : "") + b.toString(16);
  const chunks = [];
  let total = 0;
  const push = (bytes) => { chunks.push(bytes); total += bytes.byteLength; };
  for (const [name, value] of formDataState(fd).entries) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeMultipartName(name)}"`;
    if (typeof value === "string") {
      push(utf8Encode(head + "\r\n\r\n" + value + "\r\n"));
      continue;
    }
    const st = value[kBlob];
    head += `; filename="${escapeMultipartName(st.name)}"\r\nContent-Type: ${st.type === "" ? "application/octet-stream" : st.type}\r\n\r\n`;
    push(utf8Encode(head));
    push(st.bytes);
    push(utf8Encode("\r\n"));
  }
  push(utf8Encode(`--${boundary}--`));
  return makeBody("bytes", concatBytes(chunks, total).slice(), `multipart/form-data; boundary=${boundary}`);
}

// ---- parsing bodies as FormData -----------------------------------------------------------

/** Splits a Content-Type (or Content-Disposition) into its lowercased essence and parameters. */
function parseHeaderParams(value) {
  const semi = value.indexOf(";");
  const essence = (semi < 0 ? value : value.slice(0, semi)).trim();
  const params = new Map();
  let i = semi < 0 ? value.length : semi + 1;
  while (i < value.length) {
    while (i < value.length && (value[i] === " " || value[i] === "\t" || value[i] === ";")) i++;
    const eq = value.indexOf("=", i);
    if (eq < 0) break;
    const key = value.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let v;
    if (value[i] === '"') {
      v = "";
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === "\\" && i + 1 < value.length) i++;
        v += value[i++];
      }
      i++;
      if (!params.has(key)) params.set(key, { value: v, quoted: true });
      const next = value.indexOf(";", i);
      i = next < 0 ? value.length : next + 1;
    } else {
      const next = value.indexOf(";", i);
      v = value.slice(i, next < 0 ? value.length : next).trim();
      i = next < 0 ? value.length : next + 1;
      if (!params.has(key)) params.set(key, { value: v, quoted: false });
    }
  }
  return { essence, params };
}

/** Body.formData(): multipart/form-data or application/x-www-form-urlencoded, else TypeError. */
async function parseFormDataBody(body, contentType) {
  if (contentType === null) {
    if (bodyUsed(body)) throw new TypeError(BODY_USED);
    throw new TypeError("Parsing a Body as FormData requires a Content-Type header.");
  }
  const { essence, params } = parseHeaderParams(contentType);
  const kind = essence.toLowerCase();
  if (kind === "multipart/form-data") {
    const boundary = params.get("boundary")?.value;
    if (boundary === undefined || boundary === "") {
      if (bodyUsed(body)) throw new TypeError(BODY_USED);
      throw new TypeError("No boundary string in Content-Type header. The multipart/form-data MIME type requires a boundary parameter, e.g. 'Content-Type: multipart/form-data; boundary=\"abcd\"'. See RFC 7578, section 4.");
    }
    return parseMultipart(await consumeBody(body, false), boundary);
  }
  if (kind === "application/x-www-form-urlencoded") {
    const text = await consumeBody(body, true);
    const fd = new FormData();
    const entries = fd[kState].entries;
    for (const [k, v] of new URLSearchParams(text)) entries.push([k, v]);
    return fd;
  }
  if (bodyUsed(body)) throw new TypeError(BODY_USED);
  throw new TypeError("Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded");
}

function indexOfBytes(hay, needle, from) {
  const first = needle[0];
  const last = hay.length - needle.length;
  outer: for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function parseMultipart(bytes, boundary) {
  const delim = utf8Encode("--" + boundary);
  const fd = new FormData();
  const entries = fd[kState].entries;
  // The first delimiter opens the body or a line of its own (anything before it is preamble).
  let pos = -1;
  for (let i = indexOfBytes(bytes, delim, 0); i !== -1; i = indexOfBytes(bytes, delim, i + 1)) {
    if (i === 0 || bytes[i - 1] === 0x0a) { pos = i; break; }
  }
  if (pos < 0) throw new TypeError("No initial boundary string (or you have a truncated message).");
  pos += delim.length;
  for (;;) {
    if (bytes[pos] === 0x2d && bytes[pos + 1] === 0x2d) return fd; // "--": the end (epilogue ignored)
    if (bytes[pos] === 0x0d && bytes[pos + 1] === 0x0a) pos += 2;
    else if (bytes[pos] === 0x0a) pos += 1;
    else throw new TypeError("Boundary string was not succeeded by CRLF, LF, or '--'.");
    // Headers: lines up to an empty one.
    const headers = new Map();
    for (;;) {
      let eol = bytes.indexOf(0x0a, pos);
      if (eol < 0) throw new TypeError("No subsequent boundary string after multipart message.");
      const end = eol > pos && bytes[eol - 1] === 0x0d ? eol - 1 : eol;
      const line = utf8Decode(bytes.subarray(pos, end), false, true);
      pos = eol + 1;
      if (line === "") break;
      const colon = line.indexOf(":");
      if (colon > 0) {
        const name = line.slice(0, colon).trim().toLowerCase();
        if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
      }
    }
    // Content: up to the next line that starts with the delimiter.
    let next = -1;
    let contentEnd = -1;
    for (let i = indexOfBytes(bytes, delim, pos); i !== -1; i = indexOfBytes(bytes, delim, i + 1)) {
      if (i > pos && bytes[i - 1] === 0x0a) {
        next = i;
        contentEnd = i >= pos + 2 && bytes[i - 2] === 0x0d ? i - 2 : i - 1;
        break;
      }
    }
    if (next < 0) throw new TypeError("No subsequent boundary string after multipart message.");
    const content = bytes.subarray(pos, contentEnd);
    pos = next + delim.length;

    const disposition = headers.get("content-disposition");
    if (disposition === undefined) throw new TypeError("No valid Content-Disposition header found in FormData part.");
    const cd = parseHeaderParams(disposition);
    if (cd.essence !== "form-data") {
      throw new TypeError(`Content-Disposition header for FormData part must have the value "form-data", possibly followed by parameters. Got: "${cd.essence}"`);
    }
    const name = cd.params.get("name");
    if (name === undefined || !name.quoted) throw new TypeError("Content-Disposition header in FormData part is missing a name.");
    const filename = cd.params.get("filename");
    if (filename !== undefined && filename.quoted) {
      const type = normalizeBlobType(headers.get("content-type") ?? "");
      entries.push([name.value, makeBlob(content.slice(), type, filename.value, Date.now())]);
    } else {
      entries.push([name.value, utf8Decode(content, false, false)]);
    }
  }
}

defineGlobal("Blob", Blob);
defineGlobal("File", File);
defineGlobal("FormData", FormData);
