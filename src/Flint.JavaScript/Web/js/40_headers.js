// Headers (WHATWG Fetch): case-insensitive, iteration sorted by name with values combined
// except Set-Cookie, and a guard that makes a request's or response's headers immutable.

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE_BAD = /[\0\r\n]/;
const HEADER_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function normalizeHeaderValue(value) {
  // Strip leading and trailing HTTP whitespace (tab, space, CR, LF).
  return RegExpPrototypeSymbolReplace(HEADER_WHITESPACE, String(value), "");
}

function checkHeaderName(name) {
  name = String(name);
  if (RegExpPrototypeExec(HEADER_NAME, name) === null) throw new TypeError(`Invalid header name.`);
  return StringPrototypeToLowerCase(name);
}

function checkHeaderValue(value) {
  value = normalizeHeaderValue(toByteString(value, "Header value"));
  if (RegExpPrototypeExec(HEADER_VALUE_BAD, value) !== null) throw new TypeError(`Invalid header value.`);
  return value;
}

class Headers {
  constructor(init = undefined) {
    // Map of lowercase name -> array of values, in insertion order.
    this[kState] = { map: new Map(), immutable: false };
    if (init === undefined) return;
    if (init instanceof Headers) {
      const map = this[kState].map;
      MapPrototypeForEach(init[kState].map, (values, name) => { MapPrototypeSet(map, name, ArrayPrototypeSlice(values)); });
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
      const keys = withoutInternalKeys(ReflectApply(ReflectOwnKeysIntrinsic, Reflect, [init]));
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const d = ReflectApply(ReflectGetOwnPropertyDescriptor, Reflect, [init, key]);
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
    const values = MapPrototypeGet(state.map, name);
    if (values === undefined) MapPrototypeSet(state.map, name, [value]);
    else ArrayPrototypePush(values, value);
  }

  delete(name) {
    requiredArguments(arguments.length, 1, "delete");
    const state = headersState(this);
    name = checkHeaderName(name);
    if (state.immutable) throw new TypeError("Can't modify immutable headers.");
    MapPrototypeDelete(state.map, name);
  }

  get(name) {
    requiredArguments(arguments.length, 1, "get");
    const values = MapPrototypeGet(headersState(this).map, checkHeaderName(name));
    return values === undefined ? null : ArrayPrototypeJoin(values, ", ");
  }

  getAll(name) {
    // Cloudflare's non-standard getAll, limited to Set-Cookie as workerd does.
    name = checkHeaderName(name);
    if (name !== "set-cookie") throw new TypeError("getAll() can only be used with the header name \"Set-Cookie\".");
    return ArrayPrototypeSlice(MapPrototypeGet(headersState(this).map, name) || []);
  }

  getSetCookie() {
    return ArrayPrototypeSlice(MapPrototypeGet(headersState(this).map, "set-cookie") || []);
  }

  has(name) {
    requiredArguments(arguments.length, 1, "has");
    return MapPrototypeHas(headersState(this).map, checkHeaderName(name));
  }

  set(name, value) {
    requiredArguments(arguments.length, 2, "set");
    const state = headersState(this);
    name = checkHeaderName(name);
    value = checkHeaderValue(value);
    if (state.immutable) throw new TypeError("Can't modify immutable headers.");
    MapPrototypeSet(state.map, name, [value]);
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== "function") throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
    const entries = sortedHeaderEntries(headersState(this).map);
    for (let i = 0; i < entries.length; i++) ReflectApply(callback, thisArg, [entries[i][1], entries[i][0], this]);
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
  const names = [];
  MapPrototypeForEach(map, (_, name) => { ArrayPrototypePush(names, name); });
  ArrayPrototypeSort(names);
  const out = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const values = MapPrototypeGet(map, name);
    if (name === "set-cookie") for (let j = 0; j < values.length; j++) ArrayPrototypePush(out, [name, values[j]]);
    else ArrayPrototypePush(out, [name, ArrayPrototypeJoin(values, ", ")]);
  }
  return out;
}

/** Headers from the host's flat list: name, value, name, value. Names arrive valid. */
function headersFromFlat(flat, immutable) {
  const h = Object.create(Headers.prototype);
  const map = new Map();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = StringPrototypeToLowerCase(flat[i]);
    const values = MapPrototypeGet(map, name);
    if (values === undefined) MapPrototypeSet(map, name, [flat[i + 1]]);
    else ArrayPrototypePush(values, flat[i + 1]);
  }
  h[kState] = { map, immutable };
  return h;
}

/** The flat list the host expects: name, value, … with each Set-Cookie kept apart. */
function headersToFlat(h) {
  const out = [];
  MapPrototypeForEach(h[kState].map, (values, name) => {
    if (name === "set-cookie" || values.length === 1) for (let i = 0; i < values.length; i++) ArrayPrototypePush(out, name, values[i]);
    else ArrayPrototypePush(out, name, ArrayPrototypeJoin(values, ", "));
  });
  return out;
}

function setHeadersImmutable(h, immutable = true) {
  h[kState].immutable = immutable;
}

defineGlobal("Headers", Headers);
