// node:querystring — Node's legacy query string parser and formatter.
function qsEscape(str) {
  return encodeURIComponent(str).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}
function qsUnescape(str) {
  try { return decodeURIComponent(str); } catch { return unescapeLenient(str); }
}
function unescapeLenient(str) {
  return str.replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}
function stringifyPrimitive(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return "" + v;
  if (typeof v === "bigint") return "" + v;
  if (typeof v === "boolean") return v ? "true" : "false";
  return "";
}
export function stringify(obj, sep = "&", eq = "=", options) {
  const encode = options?.encodeURIComponent ?? qsEscape;
  if (obj === null || typeof obj !== "object") return "";
  const out = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const ks = encode(stringifyPrimitive(k)) + eq;
    if (Array.isArray(v)) for (const item of v) out.push(ks + encode(stringifyPrimitive(item)));
    else out.push(ks + encode(stringifyPrimitive(v)));
  }
  return out.join(sep);
}
export function parse(qs, sep = "&", eq = "=", options) {
  const obj = Object.create(null);
  if (typeof qs !== "string" || qs.length === 0) return obj;
  const decode = options?.decodeURIComponent ?? qsUnescape;
  let max = options?.maxKeys ?? 1000;
  let parts = qs.split(sep);
  if (max > 0) parts = parts.slice(0, max);
  for (const part of parts) {
    if (part.length === 0 && parts.length > 1) continue;
    const i = part.indexOf(eq);
    const rawKey = i >= 0 ? part.slice(0, i) : part;
    const rawValue = i >= 0 ? part.slice(i + eq.length) : "";
    const k = decode(rawKey.replace(/\+/g, " "));
    const v = decode(rawValue.replace(/\+/g, " "));
    if (!(k in obj)) obj[k] = v;
    else if (Array.isArray(obj[k])) obj[k].push(v);
    else obj[k] = [obj[k], v];
  }
  return obj;
}
export const decode = parse;
export const encode = stringify;
export const escape = qsEscape;
export const unescape = qsUnescape;
export function unescapeBuffer(s) { return new TextEncoder().encode(unescapeLenient(s)); }
export default { parse, stringify, decode, encode, escape, unescape, unescapeBuffer };
