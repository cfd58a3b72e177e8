// Headers (WHATWG Fetch): case-insensitive, iteration sorted by name with values combined
// except Set-Cookie, and a guard that makes a request's or response's headers immutable.

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE_BAD = /[\0\r\n]/;

function normalizeHeaderValue(value) {
  // Strip leading and trailing HTTP whitespace (tab, space, CR, LF).
  return String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
}

function checkHeaderName(name) {
  name = String(name);
  if (!HEADER_NAME.test(name)) throw new TypeError(`Invalid header name.`);
  return name.toLowerCase();
}

function checkHeaderValue(value) {
  value = normalizeHeaderValue(toByteString(value, "Header value"));
  if (HEADER_VALUE_BAD.test(value)) throw new TypeError(`Invalid header value.`);
  return value;
}

class Headers {
  constructor(init = undefined) {
    // Map of lowercase name -> array of values, in insertion order.
    this[kState] = { map: new Map(), immutable: false };
    if (init === undefined) return;
    if (init instanceof Headers) {
      for (const [name, values] of init[kState].map) this[kState].map.set(name, values.slice());
      return;
    }
    if (init === null || (typeof init !== "object" && typeof init !== "function")) {
      throw new TypeError("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
    }
    if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        if (typeof pair !== "object" || pair === null || typeof pair[Symbol.iterator] !== "function") {
          throw new TypeError("Failed to construct 'Headers': The provided value cannot be converted to a sequence.");
        }
        const entry = [...pair];
        if (entry.length !== 2) {
          throw new TypeError("Failed to construct 'Headers': Invalid value");
        }
        this.append(entry[0], entry[1]);
      }
    } else {
      for (const key of Reflect.ownKeys(init)) {
        const d = Reflect.getOwnPropertyDescriptor(init, key);
        if (d === undefined || !d.enumerable) continue;
        if (typeof key === "symbol") throw new TypeError("Failed to construct 'Headers': Invalid header name.");
        this.append(key, init[key]);
      }
    }
  }

  append(name, value) {
    requiredArguments(arguments.length, 2, "append");
    const state = headersState(this);
    name = checkHeaderName(name);
    value = checkHeaderValue(value);
    if (state.immutable) throw new TypeError("Can't modify immutable headers.");
    const values = state.map.get(name);
    if (values === undefined) state.map.set(name, [value]);
    else values.push(value);
  }

  delete(name) {
    requiredArguments(arguments.length, 1, "delete");
    const state = headersState(this);
    name = checkHeaderName(name);
    if (state.immutable) throw new TypeError("Can't modify immutable headers.");
    state.map.delete(name);
  }

  get(name) {
    requiredArguments(arguments.length, 1, "get");
    const values = headersState(this).map.get(checkHeaderName(name));
    return values === undefined ? null : values.join(", ");
  }

  getAll(name) {
    // Cloudflare's non-standard getAll, limited to Set-Cookie as workerd does.
    name = checkHeaderName(name);
    if (name !== "set-cookie") throw new TypeError("getAll() can only be used with the header name \"Set-Cookie\".");
    return (headersState(this).map.get(name) || []).slice();
  }

  getSetCookie() {
    return (headersState(this).map.get("set-cookie") || []).slice();
  }

  has(name) {
    requiredArguments(arguments.length, 1, "has");
    return headersState(this).map.has(checkHeaderName(name));
  }

  set(name, value) {
    requiredArguments(arguments.length, 2, "set");
    const state = headersState(this);
    name = checkHeaderName(name);
    value = checkHeaderValue(value);
    if (state.immutable) throw new TypeError("Can't modify immutable headers.");
    state.map.set(name, [value]);
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== "function") throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
    for (const [name, value] of sortedHeaderEntries(headersState(this).map)) {
      callback.call(thisArg, value, name, this);
    }
  }

  *entries() { yield* sortedHeaderEntries(headersState(this).map); }
  *keys() { for (const [name] of sortedHeaderEntries(headersState(this).map)) yield name; }
  *values() { for (const [, value] of sortedHeaderEntries(headersState(this).map)) yield value; }
  [Symbol.iterator]() { return this.entries(); }
}
webidlInterface(Headers);

function headersState(h) {
  const state = h?.[kState];
  if (state === undefined || !(h instanceof Headers)) throw illegalInvocation();
  return state;
}

function sortedHeaderEntries(map) {
  const names = [...map.keys()].sort();
  const out = [];
  for (const name of names) {
    const values = map.get(name);
    if (name === "set-cookie") for (const v of values) out.push([name, v]);
    else out.push([name, values.join(", ")]);
  }
  return out;
}

/** Headers from the host's flat list: name, value, name, value. Names arrive valid. */
function headersFromFlat(flat, immutable) {
  const h = Object.create(Headers.prototype);
  const map = new Map();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i].toLowerCase();
    const values = map.get(name);
    if (values === undefined) map.set(name, [flat[i + 1]]);
    else values.push(flat[i + 1]);
  }
  h[kState] = { map, immutable };
  return h;
}

/** The flat list the host expects: name, value, … with each Set-Cookie kept apart. */
function headersToFlat(h) {
  const out = [];
  for (const [name, values] of h[kState].map) {
    if (name === "set-cookie" || values.length === 1) for (const v of values) out.push(name, v);
    else out.push(name, values.join(", "));
  }
  return out;
}

function setHeadersImmutable(h, immutable = true) {
  h[kState].immutable = immutable;
}

defineGlobal("Headers", Headers);
