// node:url — the WHATWG URL of the global scope, Node's file URL helpers, and the legacy
// url.parse/format/resolve expressed with it.
import bridge from "node-internal:bridge";
import * as querystring from "node:querystring";

export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;

export function fileURLToPath(url) {
  if (typeof url === "string") url = new URL(url);
  else if (!(url instanceof URL)) throw bridge.invalidArgType("path", "of type string or an instance of URL", url);
  if (url.protocol !== "file:") throw bridge.nodeError(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
  if (url.hostname !== "") throw bridge.nodeError(TypeError, "ERR_INVALID_FILE_URL_HOST", `File URL host must be "localhost" or empty on linux`);
  if (/%2f/i.test(url.pathname)) throw bridge.nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters");
  return decodeURIComponent(url.pathname);
}

export function pathToFileURL(path) {
  const url = new URL("file://");
  let resolved = String(path);
  if (!resolved.startsWith("/")) resolved = "/bundle/" + resolved;
  url.pathname = resolved.replace(/%/g, "%25").replace(/\\/g, "%5C").replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/\t/g, "%09");
  return url;
}

export function domainToASCII(domain) { try { return new URL(`http://${domain}`).hostname; } catch { return ""; } }
export function domainToUnicode(domain) { return String(domain); }
export function urlToHttpOptions(url) {
  return {
    protocol: url.protocol, hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    hash: url.hash, search: url.search, pathname: url.pathname, path: `${url.pathname || ""}${url.search || ""}`, href: url.href,
    ...(url.port !== "" ? { port: Number(url.port) } : {}),
    ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
  };
}

export function Url() {
  this.protocol = null; this.slashes = null; this.auth = null; this.host = null; this.port = null; this.hostname = null;
  this.hash = null; this.search = null; this.query = null; this.pathname = null; this.path = null; this.href = null;
}

export function parse(input, parseQueryString = false, slashesDenoteHost = false) {
  if (input instanceof Url) return input;
  if (typeof input !== "string") throw bridge.invalidArgType("url", "of type string", input);
  const result = new Url();
  const text = input.trim();
  const protocolMatch = /^([a-z0-9.+-]+:)/i.exec(text);
  let parsed = null;
  try { parsed = new URL(protocolMatch ? text : `http://relative.invalid${text.startsWith("/") ? "" : "/"}${text}`); } catch { parsed = null; }
  if (parsed !== null && protocolMatch) {
    result.protocol = parsed.protocol;
    result.slashes = /^[a-z0-9.+-]+:\/\//i.test(text) || null;
    if (parsed.username || parsed.password) result.auth = decodeURIComponent(parsed.username) + (parsed.password ? ":" + decodeURIComponent(parsed.password) : "");
    result.host = parsed.host || null;
    result.port = parsed.port || null;
    result.hostname = parsed.hostname || null;
    result.pathname = parsed.pathname || (result.slashes ? "/" : null);
  } else if (parsed !== null) {
    result.pathname = text.split(/[?#]/)[0] || null;
  }
  if (parsed !== null) {
    result.hash = parsed.hash || null;
    result.search = parsed.search || null;
  }
  const query = result.search ? result.search.slice(1) : null;
  result.query = parseQueryString ? querystring.parse(query ?? "") : query;
  result.path = (result.pathname ?? "") + (result.search ?? "") || null;
  result.href = format(result);
  return result;
}

export function format(urlObject, options) {
  if (typeof urlObject === "string") urlObject = parse(urlObject);
  if (urlObject instanceof URL) {
    const u = new URL(urlObject.href);
    if (options?.auth === false) { u.username = ""; u.password = ""; }
    if (options?.search === false) u.search = "";
    if (options?.fragment === false) u.hash = "";
    return u.href;
  }
  const o = urlObject ?? {};
  let auth = o.auth ? encodeURIComponent(o.auth).replace(/%3A/i, ":") + "@" : "";
  let protocol = o.protocol || "";
  if (protocol && !protocol.endsWith(":")) protocol += ":";
  let host = "";
  if (o.host) host = auth + o.host;
  else if (o.hostname) host = auth + (o.hostname.includes(":") ? `[${o.hostname}]` : o.hostname) + (o.port ? `:${o.port}` : "");
  let pathname = o.pathname || "";
  let search = o.search || (o.query && typeof o.query === "object" ? "?" + querystring.stringify(o.query) : o.query ? `?${o.query}` : "");
  if (search && !search.startsWith("?")) search = "?" + search;
  let hash = o.hash || "";
  if (hash && !hash.startsWith("#")) hash = "#" + hash;
  const slashes = o.slashes || /^(https?|ftp|gopher|file|wss?):$/.test(protocol) ? "//" : "";
  if (host && pathname && !pathname.startsWith("/")) pathname = "/" + pathname;
  return protocol + (host || protocol === "file:" ? slashes : "") + host + pathname + search.replace("#", "%23") + hash;
}

export function resolve(from, to) {
  try { return new URL(to, new URL(from, "resolve://")).href.replace(/^resolve:\/\//, ""); } catch { return to; }
}

export function resolveObject(from, to) { return parse(resolve(from, to)); }

export default { URL, URLSearchParams, fileURLToPath, pathToFileURL, domainToASCII, domainToUnicode, urlToHttpOptions, Url, parse, format, resolve, resolveObject };
