// URLPattern (WHATWG URL Pattern Standard): a tokenizer, a pattern parser that turns each
// component's pattern string into parts, and from those parts a RegExp and a normalized pattern
// string. Fixed text is canonicalized through the public URL API (a dummy URL and its setters,
// as the standard describes), so URLPattern and URL agree on encoding by construction.
// Error messages are workerd's: "Failed to construct URLPattern", "Failed to test URLPattern".
//
// The body is a function so that its many helper names stay out of the shared built-in scope,
// and it runs only when a Worker first uses URLPattern (defineLazy).
defineLazy([[globalThis, "URLPattern", false]], () => {
  const CONSTRUCT_FAILED = "Failed to construct URLPattern";

  // Component matching uses the built-in exec even if a Worker replaces RegExp.prototype.exec.
  const regExpExec = RegExp.prototype.exec;
  const reflectApply = Reflect.apply;
  function builtinExec(regexp, input) {
    regexp.lastIndex = 0;
    return reflectApply(regExpExec, regexp, [input]);
  }

  function patternError() {
    return new TypeError(CONSTRUCT_FAILED);
  }

  const COMPONENTS = ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"];
  const SPECIAL_SCHEMES = ["ftp", "file", "http", "https", "ws", "wss"];
  const DEFAULT_PORTS = { ftp: "21", http: "80", https: "443", ws: "80", wss: "443" };

  // ---- tokenizer ------------------------------------------------------------------------
  // Token types.
  const T_OPEN = 0, T_CLOSE = 1, T_REGEXP = 2, T_NAME = 3, T_CHAR = 4, T_ESCAPED_CHAR = 5,
    T_OTHER_MODIFIER = 6, T_ASTERISK = 7, T_END = 8, T_INVALID_CHAR = 9;

  const NAME_START = /^[$_\p{ID_Start}]$/u;
  const NAME_PART = /^[$\u200c\u200d\p{ID_Continue}]$/u;

  function isValidNameCodePoint(cp, first) {
    if (cp === undefined) return false;
    return builtinExec(first ? NAME_START : NAME_PART, String.fromCodePoint(cp)) !== null;
  }

  function isAsciiCodePoint(cp) {
    return cp <= 0x7f;
  }

  /**
   * Splits a pattern string into tokens. Indexes are UTF-16 offsets; the standard counts code
   * points, but every comparison here is against a position reached by stepping whole code
   * points, so the two agree. "strict" throws on bad syntax; "lenient" (the constructor string
   * parser) turns it into invalid-char tokens.
   */
  function tokenize(input, strict) {
    const tokens = [];
    const length = input.length;
    let index = 0;
    let nextIndex = 0;
    let cp = 0;

    const getNext = () => {
      cp = input.codePointAt(nextIndex);
      nextIndex += cp > 0xffff ? 2 : 1;
    };
    const seek = (i) => {
      nextIndex = i;
      getNext();
    };
    const addToken = (type, nextPosition, valuePosition, valueLength) => {
      tokens.push({ type, index, value: input.slice(valuePosition, valuePosition + valueLength) });
      index = nextPosition;
    };
    const addTokenDefaultLength = (type, nextPosition, valuePosition) => {
      addToken(type, nextPosition, valuePosition, nextPosition - valuePosition);
    };
    const addTokenDefault = (type) => addTokenDefaultLength(type, nextIndex, index);
    const tokenizingError = (nextPosition, valuePosition) => {
      if (strict) throw patternError();
      addTokenDefaultLength(T_INVALID_CHAR, nextPosition, valuePosition);
    };

    while (index < length) {
      seek(index);
      if (cp === 0x2a /* * */) { addTokenDefault(T_ASTERISK); continue; }
      if (cp === 0x2b /* + */ || cp === 0x3f /* ? */) { addTokenDefault(T_OTHER_MODIFIER); continue; }
      if (cp === 0x5c /* \ */) {
        if (nextIndex === length) { tokenizingError(nextIndex, index); continue; }
        const escapedIndex = nextIndex;
        getNext();
        addTokenDefaultLength(T_ESCAPED_CHAR, nextIndex, escapedIndex);
        continue;
      }
      if (cp === 0x7b /* { */) { addTokenDefault(T_OPEN); continue; }
      if (cp === 0x7d /* } */) { addTokenDefault(T_CLOSE); continue; }
      if (cp === 0x3a /* : */) {
        let namePosition = nextIndex;
        const nameStart = namePosition;
        while (namePosition < length) {
          seek(namePosition);
          if (!isValidNameCodePoint(cp, namePosition === nameStart)) break;
          namePosition = nextIndex;
        }
        if (namePosition <= nameStart) { tokenizingError(nameStart, index); continue; }
        addTokenDefaultLength(T_NAME, namePosition, nameStart);
        continue;
      }
      if (cp === 0x28 /* ( */) {
        let depth = 1;
        let regexpPosition = nextIndex;
        const regexpStart = regexpPosition;
        let error = false;
        while (regexpPosition < length) {
          seek(regexpPosition);
          if (!isAsciiCodePoint(cp)) { tokenizingError(regexpStart, index); error = true; break; }
          if (regexpPosition === regexpStart && cp === 0x3f) { tokenizingError(regexpStart, index); error = true; break; }
          if (cp === 0x5c) {
            // The code points read so far are ASCII, so "last code point" is "last UTF-16 unit".
            if (regexpPosition === length - 1) { tokenizingError(regexpStart, index); error = true; break; }
            getNext();
            if (!isAsciiCodePoint(cp)) { tokenizingError(regexpStart, index); error = true; break; }
            regexpPosition = nextIndex;
            continue;
          }
          if (cp === 0x29 /* ) */) {
            depth--;
            if (depth === 0) { regexpPosition = nextIndex; break; }
          } else if (cp === 0x28) {
            // Only non-capturing or lookaround groups may nest: "(?".
            depth++;
            if (regexpPosition === length - 1) { tokenizingError(regexpStart, index); error = true; break; }
            const temporaryPosition = nextIndex;
            getNext();
            if (cp !== 0x3f) { tokenizingError(regexpStart, index); error = true; break; }
            nextIndex = temporaryPosition;
          }
          regexpPosition = nextIndex;
        }
        if (error) continue;
        if (depth !== 0) { tokenizingError(regexpStart, index); continue; }
        const regexpLength = regexpPosition - regexpStart - 1;
        if (regexpLength === 0) { tokenizingError(regexpStart, index); continue; }
        addToken(T_REGEXP, regexpPosition, regexpStart, regexpLength);
        continue;
      }
      addTokenDefault(T_CHAR);
    }
    addTokenDefaultLength(T_END, index, index);
    return tokens;
  }

  // ---- parts and the pattern parser ------------------------------------------------------
  const P_FIXED_TEXT = 0, P_REGEXP = 1, P_SEGMENT_WILDCARD = 2, P_FULL_WILDCARD = 3;
  const M_NONE = 0, M_OPTIONAL = 1, M_ZERO_OR_MORE = 2, M_ONE_OR_MORE = 3;

  const FULL_WILDCARD_REGEXP = ".*";

  function options(delimiter, prefix, ignoreCase = false) {
    return { delimiter, prefix, ignoreCase };
  }
  const DEFAULT_OPTIONS = options("", "");
  const HOSTNAME_OPTIONS = options(".", "");
  const PATHNAME_OPTIONS = options("/", "/");

  function modifierToString(modifier) {
    switch (modifier) {
      case M_ZERO_OR_MORE: return "*";
      case M_OPTIONAL: return "?";
      case M_ONE_OR_MORE: return "+";
      default: return "";
    }
  }

  function escapeRegExpString(input) {
    return input.replace(/[.+*?^${}()[\]|/\\]/g, "\\$&");
  }

  function escapePatternString(input) {
    return input.replace(/[+*?:{}()\\]/g, "\\$&");
  }

  function segmentWildcardRegexp(opts) {
    return `[^${escapeRegExpString(opts.delimiter)}]+?`;
  }

  /** Parses a pattern string into a part list; fixed text goes through `encode`. */
  function parsePatternString(input, opts, encode) {
    const tokens = tokenize(input, true);
    const segmentWildcard = segmentWildcardRegexp(opts);
    const parts = [];
    let pendingFixedValue = "";
    let index = 0;
    let nextNumericName = 0;

    const tryConsume = (type) => {
      const token = tokens[index];
      if (token.type !== type) return null;
      index++;
      return token;
    };
    const tryConsumeModifier = () => tryConsume(T_OTHER_MODIFIER) ?? tryConsume(T_ASTERISK);
    const tryConsumeRegexpOrWildcard = (nameToken) => {
      const token = tryConsume(T_REGEXP);
      return nameToken === null && token === null ? tryConsume(T_ASTERISK) : token;
    };
    const consumeRequired = (type) => {
      const token = tryConsume(type);
      if (token === null) throw patternError();
      return token;
    };
    const consumeText = () => {
      let result = "";
      for (;;) {
        const token = tryConsume(T_CHAR) ?? tryConsume(T_ESCAPED_CHAR);
        if (token === null) return result;
        result += token.value;
      }
    };
    const maybeAddPartFromPendingFixedValue = () => {
      if (pendingFixedValue === "") return;
      const value = encode(pendingFixedValue);
      pendingFixedValue = "";
      parts.push({ type: P_FIXED_TEXT, value, modifier: M_NONE, name: "", prefix: "", suffix: "" });
    };
    const addPart = (prefix, nameToken, regexpOrWildcardToken, suffix, modifierToken) => {
      let modifier = M_NONE;
      if (modifierToken !== null) {
        const v = modifierToken.value;
        modifier = v === "?" ? M_OPTIONAL : v === "*" ? M_ZERO_OR_MORE : M_ONE_OR_MORE;
      }
      if (nameToken === null && regexpOrWildcardToken === null && modifier === M_NONE) {
        // A plain "{foo}" group: just more fixed text.
        pendingFixedValue += prefix;
        return;
      }
      maybeAddPartFromPendingFixedValue();
      if (nameToken === null && regexpOrWildcardToken === null) {
        // "{foo}?": fixed text with a modifier.
        if (prefix === "") return;
        parts.push({ type: P_FIXED_TEXT, value: encode(prefix), modifier, name: "", prefix: "", suffix: "" });
        return;
      }
      let regexpValue;
      if (regexpOrWildcardToken === null) regexpValue = segmentWildcard;
      else if (regexpOrWildcardToken.type === T_ASTERISK) regexpValue = FULL_WILDCARD_REGEXP;
      else regexpValue = regexpOrWildcardToken.value;
      // A regexp group spelled like a wildcard is treated as that wildcard.
      let type = P_REGEXP;
      if (regexpValue === segmentWildcard) {
        type = P_SEGMENT_WILDCARD;
        regexpValue = "";
      } else if (regexpValue === FULL_WILDCARD_REGEXP) {
        type = P_FULL_WILDCARD;
        regexpValue = "";
      }
      let name = "";
      if (nameToken !== null) name = nameToken.value;
      else if (regexpOrWildcardToken !== null) name = String(nextNumericName++);
      for (const part of parts) {
        if (part.name === name) throw patternError();
      }
      parts.push({ type, value: regexpValue, modifier, name, prefix: encode(prefix), suffix: encode(suffix) });
    };

    while (index < tokens.length) {
      // <prefix char><name><regexp or wildcard><modifier>, any of them absent.
      const charToken = tryConsume(T_CHAR);
      let nameToken = tryConsume(T_NAME);
      let regexpOrWildcardToken = tryConsumeRegexpOrWildcard(nameToken);
      if (nameToken !== null || regexpOrWildcardToken !== null) {
        let prefix = charToken !== null ? charToken.value : "";
        if (prefix !== "" && prefix !== opts.prefix) {
          pendingFixedValue += prefix;
          prefix = "";
        }
        maybeAddPartFromPendingFixedValue();
        const modifierToken = tryConsumeModifier();
        addPart(prefix, nameToken, regexpOrWildcardToken, "", modifierToken);
        continue;
      }
      const fixedToken = charToken ?? tryConsume(T_ESCAPED_CHAR);
      if (fixedToken !== null) {
        pendingFixedValue += fixedToken.value;
        continue;
      }
      // {<prefix><name><regexp or wildcard><suffix>}<modifier>
      if (tryConsume(T_OPEN) !== null) {
        const prefix = consumeText();
        nameToken = tryConsume(T_NAME);
        regexpOrWildcardToken = tryConsumeRegexpOrWildcard(nameToken);
        const suffix = consumeText();
        consumeRequired(T_CLOSE);
        const modifierToken = tryConsumeModifier();
        addPart(prefix, nameToken, regexpOrWildcardToken, suffix, modifierToken);
        continue;
      }
      maybeAddPartFromPendingFixedValue();
      consumeRequired(T_END);
    }
    return parts;
  }

  // ---- part list -> regular expression ---------------------------------------------------
  function generateRegularExpressionAndNameList(parts, opts) {
    let result = "^";
    const nameList = [];
    for (const part of parts) {
      if (part.type === P_FIXED_TEXT) {
        if (part.modifier === M_NONE) result += escapeRegExpString(part.value);
        else result += `(?:${escapeRegExpString(part.value)})${modifierToString(part.modifier)}`;
        continue;
      }
      nameList.push(part.name);
      let regexpValue = part.value;
      if (part.type === P_SEGMENT_WILDCARD) regexpValue = segmentWildcardRegexp(opts);
      else if (part.type === P_FULL_WILDCARD) regexpValue = FULL_WILDCARD_REGEXP;
      const modifier = modifierToString(part.modifier);
      const repeats = part.modifier === M_ZERO_OR_MORE || part.modifier === M_ONE_OR_MORE;
      if (part.prefix === "" && part.suffix === "") {
        result += repeats ? `((?:${regexpValue})${modifier})` : `(${regexpValue})${modifier}`;
        continue;
      }
      const prefix = escapeRegExpString(part.prefix);
      const suffix = escapeRegExpString(part.suffix);
      if (!repeats) {
        result += `(?:${prefix}(${regexpValue})${suffix})${modifier}`;
        continue;
      }
      // The prefix and suffix sit between repetitions, not before the first or after the last.
      result += `(?:${prefix}((?:${regexpValue})(?:${suffix}${prefix}(?:${regexpValue}))*)${suffix})`;
      if (part.modifier === M_ZERO_OR_MORE) result += "?";
    }
    return { regexp: result + "$", nameList };
  }

  // ---- part list -> pattern string -------------------------------------------------------
  function isAsciiDigit(ch) {
    return ch >= "0" && ch <= "9";
  }

  function generatePatternString(parts, opts) {
    let result = "";
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index];
      const previous = index > 0 ? parts[index - 1] : null;
      const next = index < parts.length - 1 ? parts[index + 1] : null;
      if (part.type === P_FIXED_TEXT) {
        if (part.modifier === M_NONE) {
          result += escapePatternString(part.value);
        } else {
          result += `{${escapePatternString(part.value)}}${modifierToString(part.modifier)}`;
        }
        continue;
      }
      const customName = !isAsciiDigit(part.name[0]);
      let needsGrouping = part.suffix !== "" || (part.prefix !== "" && part.prefix !== opts.prefix);
      if (!needsGrouping && customName && part.type === P_SEGMENT_WILDCARD && part.modifier === M_NONE &&
          next !== null && next.prefix === "" && next.suffix === "") {
        // ":name" followed by something that would read as more of the name needs braces.
        if (next.type === P_FIXED_TEXT) {
          needsGrouping = isValidNameCodePoint(next.value.codePointAt(0), false);
        } else {
          needsGrouping = isAsciiDigit(next.name[0]);
        }
      }
      if (!needsGrouping && part.prefix === "" && previous !== null && previous.type === P_FIXED_TEXT &&
          opts.prefix !== "" && lastCodePoint(previous.value) === opts.prefix) {
        needsGrouping = true;
      }
      if (needsGrouping) result += "{";
      result += escapePatternString(part.prefix);
      if (customName) result += `:${part.name}`;
      if (part.type === P_REGEXP) {
        result += `(${part.value})`;
      } else if (part.type === P_SEGMENT_WILDCARD && !customName) {
        result += `(${segmentWildcardRegexp(opts)})`;
      } else if (part.type === P_FULL_WILDCARD) {
        if (!customName && (previous === null || previous.type === P_FIXED_TEXT || previous.modifier !== M_NONE ||
            needsGrouping || part.prefix !== "")) {
          result += "*";
        } else {
          result += `(${FULL_WILDCARD_REGEXP})`;
        }
      }
      if (part.type === P_SEGMENT_WILDCARD && customName && part.suffix !== "" &&
          isValidNameCodePoint(part.suffix.codePointAt(0), false)) {
        result += "\\";
      }
      result += escapePatternString(part.suffix);
      if (needsGrouping) result += "}";
      result += modifierToString(part.modifier);
    }
    return result;
  }

  function lastCodePoint(s) {
    if (s === "") return "";
    const cp = s.codePointAt(s.length - 1);
    if (cp >= 0xdc00 && cp <= 0xdfff && s.length >= 2) return String.fromCodePoint(s.codePointAt(s.length - 2));
    return String.fromCodePoint(cp);
  }

  // ---- components ------------------------------------------------------------------------
  function compileComponent(input, encode, opts) {
    const parts = parsePatternString(input, opts, encode);
    const { regexp: source, nameList } = generateRegularExpressionAndNameList(parts, opts);
    let regexp;
    try {
      regexp = new RegExp(source, opts.ignoreCase ? "vi" : "v");
    } catch {
      throw patternError();
    }
    let hasRegExpGroups = false;
    for (const part of parts) {
      if (part.type === P_REGEXP) hasRegExpGroups = true;
    }
    return { patternString: generatePatternString(parts, opts), regexp, nameList, hasRegExpGroups };
  }

  function protocolComponentMatchesSpecialScheme(component) {
    for (const scheme of SPECIAL_SCHEMES) {
      if (builtinExec(component.regexp, scheme) !== null) return true;
    }
    return false;
  }

  function hostnamePatternIsIPv6Address(input) {
    if (input.length < 2) return false;
    return input[0] === "[" || ((input[0] === "{" || input[0] === "\\") && input[1] === "[");
  }

  // ---- canonicalization through the URL API ---------------------------------------------
  // The standard runs the URL parser with a state override on a dummy URL; the public setters
  // do exactly that, except that they ignore failure. Where the standard reports failure, a
  // second dummy with a different starting value tells "failed" from "same as the dummy".
  const DUMMY_URL = "https://dummy.invalid/";

  function canonicalizeProtocol(value) {
    if (value === "") return value;
    const url = parseURL(`${value}://dummy.invalid/`);
    if (url === null) throw patternError();
    return url.protocol.slice(0, -1);
  }

  function canonicalizeUsername(value) {
    if (value === "") return value;
    const url = new URL(DUMMY_URL);
    url.username = value;
    return url.username;
  }

  function canonicalizePassword(value) {
    if (value === "") return value;
    const url = new URL(DUMMY_URL);
    url.password = value;
    return url.password;
  }

  function canonicalizeHostname(value) {
    if (value === "") return value;
    const url = new URL(DUMMY_URL);
    url.hostname = value;
    const host = url.hostname;
    if (host !== "dummy.invalid") return host;
    const other = new URL("https://other.invalid/");
    other.hostname = value;
    if (other.hostname === "other.invalid") throw patternError();
    return host;
  }

  const IPV6_HOSTNAME_CHAR = /^[0-9A-Fa-f[\]:]$/;

  function canonicalizeIPv6Hostname(value) {
    let result = "";
    for (const ch of value) {
      if (builtinExec(IPV6_HOSTNAME_CHAR, ch) === null) throw patternError();
      result += ch.toLowerCase();
    }
    return result;
  }

  function canonicalizePort(value, protocol = undefined) {
    if (value === "") return value;
    // Only the scheme's default port matters here; schemes without one behave alike. Without a
    // protocol nothing is a default port: WPT keeps "443*" whole, though the dummy URL is https.
    const scheme = protocol !== undefined && Object.hasOwn(DEFAULT_PORTS, protocol) ? protocol : "dummy";
    const url = new URL(`${scheme}://dummy.invalid/`);
    url.port = value;
    if (url.port !== "") return url.port;
    // Empty: either the default port or a failed parse.
    const other = new URL(`${scheme}://dummy.invalid:1/`);
    other.port = value;
    if (other.port === "1") throw patternError();
    return "";
  }

  function canonicalizePathname(value) {
    if (value === "") return value;
    // "/-" keeps the parser from adding a leading slash or reading a leading "." as a dot segment.
    const leadingSlash = value[0] === "/";
    const url = new URL(DUMMY_URL);
    url.pathname = leadingSlash ? value : `/-${value}`;
    return leadingSlash ? url.pathname : url.pathname.slice(2);
  }

  function canonicalizeOpaquePathname(value) {
    if (value === "") return value;
    // The pathname setter ignores opaque paths, so parse a whole opaque-path URL. The "-" keeps
    // a leading "/" from starting a hierarchical path; when nothing ends the path, a trailing
    // "-" keeps the URL parser from trimming the value's own trailing spaces and controls.
    const ended = value.includes("?") || value.includes("#");
    const url = new URL(ended ? `dummy:-${value}` : `dummy:-${value}-`);
    const path = url.pathname;
    return ended ? path.slice(1) : path.slice(1, -1);
  }

  function canonicalizeSearch(value) {
    if (value === "") return value;
    // The setter drops one leading "?", which must not be one of the value's own.
    const url = new URL(DUMMY_URL);
    url.search = `?${value}`;
    return url.search.slice(1);
  }

  function canonicalizeHash(value) {
    if (value === "") return value;
    const url = new URL(DUMMY_URL);
    url.hash = `#${value}`;
    return url.hash.slice(1);
  }

  /** The parts of a parsed URL, named as URLPatternInit names them. */
  function urlComponents(url) {
    const protocol = url.protocol.slice(0, -1);
    return {
      protocol,
      username: url.username,
      password: url.password,
      hostname: url.hostname,
      port: url.port,
      pathname: url.pathname,
      search: url.search.slice(1),
      hash: url.hash.slice(1),
    };
  }

  /** Whether a URL has an opaque path ("mailto:x"): no "/" right after "scheme:". */
  function hasOpaquePath(url) {
    return !url.href.startsWith("/", url.protocol.length);
  }

  /** A URL, or null where the URL parser fails (URL throws TypeError for that). */
  function parseURL(input, base = undefined) {
    try {
      return base === undefined ? new URL(input) : new URL(input, base);
    } catch (e) {
      if (e instanceof TypeError) return null;
      throw e;
    }
  }

  // ---- URLPatternInit processing ---------------------------------------------------------
  function processBaseURLString(input, type) {
    return type === "pattern" ? escapePatternString(input) : input;
  }

  function isAbsolutePathname(input, type) {
    if (input === "") return false;
    if (input[0] === "/") return true;
    if (type === "url") return false;
    if (input.length < 2) return false;
    return (input[0] === "\\" || input[0] === "{") && input[1] === "/";
  }

  function processPathnameForInit(value, protocol, type) {
    if (type === "pattern") return value;
    if (protocol === "" || SPECIAL_SCHEMES.includes(protocol)) return canonicalizePathname(value);
    return canonicalizeOpaquePathname(value);
  }

  /**
   * Fills in a URLPatternInit from its baseURL and canonicalizes it for "url" (matching);
   * "pattern" keeps pattern syntax and only escapes what comes from the base URL.
   */
  function processURLPatternInit(init, type, defaults) {
    const result = { ...defaults };
    let baseURL = null;
    if (init.baseURL !== undefined) {
      const parsed = parseURL(init.baseURL);
      if (parsed === null) throw patternError();
      baseURL = urlComponents(parsed);
      baseURL.opaquePath = hasOpaquePath(parsed);
      const has = (name) => init[name] !== undefined;
      if (!has("protocol")) result.protocol = processBaseURLString(baseURL.protocol, type);
      if (type !== "pattern" && !has("protocol") && !has("hostname") && !has("port") && !has("username")) {
        result.username = processBaseURLString(baseURL.username, type);
      }
      if (type !== "pattern" && !has("protocol") && !has("hostname") && !has("port") && !has("username") &&
          !has("password")) {
        result.password = processBaseURLString(baseURL.password, type);
      }
      if (!has("protocol") && !has("hostname")) {
        result.hostname = processBaseURLString(baseURL.hostname, type);
      }
      if (!has("protocol") && !has("hostname") && !has("port")) {
        result.port = baseURL.port;
      }
      if (!has("protocol") && !has("hostname") && !has("port") && !has("pathname")) {
        result.pathname = processBaseURLString(baseURL.pathname, type);
      }
      if (!has("protocol") && !has("hostname") && !has("port") && !has("pathname") && !has("search")) {
        result.search = processBaseURLString(baseURL.search, type);
      }
      if (!has("protocol") && !has("hostname") && !has("port") && !has("pathname") && !has("search") &&
          !has("hash")) {
        result.hash = processBaseURLString(baseURL.hash, type);
      }
    }
    if (init.protocol !== undefined) {
      const stripped = init.protocol.endsWith(":") ? init.protocol.slice(0, -1) : init.protocol;
      result.protocol = type === "pattern" ? stripped : canonicalizeProtocol(stripped);
    }
    if (init.username !== undefined) {
      result.username = type === "pattern" ? init.username : canonicalizeUsername(init.username);
    }
    if (init.password !== undefined) {
      result.password = type === "pattern" ? init.password : canonicalizePassword(init.password);
    }
    if (init.hostname !== undefined) {
      result.hostname = type === "pattern" ? init.hostname : canonicalizeHostname(init.hostname);
    }
    const resultProtocol = result.protocol ?? "";
    if (init.port !== undefined) {
      result.port = type === "pattern" ? init.port : canonicalizePort(init.port, resultProtocol);
    }
    if (init.pathname !== undefined) {
      let pathname = init.pathname;
      if (baseURL !== null && !baseURL.opaquePath && !isAbsolutePathname(pathname, type)) {
        // A relative pathname resolves against the base URL's directory.
        const basePath = processBaseURLString(baseURL.pathname, type);
        const slash = basePath.lastIndexOf("/");
        if (slash !== -1) pathname = basePath.slice(0, slash + 1) + pathname;
      }
      result.pathname = processPathnameForInit(pathname, resultProtocol, type);
    }
    if (init.search !== undefined) {
      const stripped = init.search.startsWith("?") ? init.search.slice(1) : init.search;
      result.search = type === "pattern" ? stripped : canonicalizeSearch(stripped);
    }
    if (init.hash !== undefined) {
      const stripped = init.hash.startsWith("#") ? init.hash.slice(1) : init.hash;
      result.hash = type === "pattern" ? stripped : canonicalizeHash(stripped);
    }
    return result;
  }

  // ---- constructor string parser ---------------------------------------------------------
  const S_INIT = "init", S_PROTOCOL = "protocol", S_AUTHORITY = "authority", S_USERNAME = "username",
    S_PASSWORD = "password", S_HOSTNAME = "hostname", S_PORT = "port", S_PATHNAME = "pathname",
    S_SEARCH = "search", S_HASH = "hash", S_DONE = "done";

  /** Splits a pattern like "https://:sub.example.com/books/:id" into URLPatternInit parts. */
  function parseConstructorString(input) {
    const tokens = tokenize(input, false);
    const result = {};
    let componentStart = 0;
    let tokenIndex = 0;
    let tokenIncrement = 1;
    let groupDepth = 0;
    let hostnameIPv6BracketDepth = 0;
    let protocolMatchesSpecialScheme = false;
    let state = S_INIT;

    const safeToken = (i) => (i < tokens.length ? tokens[i] : tokens[tokens.length - 1]);
    const isNonSpecialPatternChar = (i, value) => {
      const token = safeToken(i);
      if (token.value !== value) return false;
      return token.type === T_CHAR || token.type === T_ESCAPED_CHAR || token.type === T_INVALID_CHAR;
    };
    const isProtocolSuffix = () => isNonSpecialPatternChar(tokenIndex, ":");
    const nextIsAuthoritySlashes = () =>
      isNonSpecialPatternChar(tokenIndex + 1, "/") && isNonSpecialPatternChar(tokenIndex + 2, "/");
    const isIdentityTerminator = () => isNonSpecialPatternChar(tokenIndex, "@");
    const isPasswordPrefix = () => isNonSpecialPatternChar(tokenIndex, ":");
    const isPortPrefix = () => isNonSpecialPatternChar(tokenIndex, ":");
    const isPathnameStart = () => isNonSpecialPatternChar(tokenIndex, "/");
    const isSearchPrefix = () => {
      if (isNonSpecialPatternChar(tokenIndex, "?")) return true;
      if (tokens[tokenIndex].value !== "?") return false;
      // A "?" right after a group is that group's modifier, not the start of the search.
      const previousIndex = tokenIndex - 1;
      if (previousIndex < 0) return true;
      const previous = safeToken(previousIndex);
      return !(previous.type === T_NAME || previous.type === T_REGEXP || previous.type === T_CLOSE ||
        previous.type === T_ASTERISK);
    };
    const isHashPrefix = () => isNonSpecialPatternChar(tokenIndex, "#");
    const isGroupOpen = () => tokens[tokenIndex].type === T_OPEN;
    const isGroupClose = () => tokens[tokenIndex].type === T_CLOSE;
    const isIPv6Open = () => isNonSpecialPatternChar(tokenIndex, "[");
    const isIPv6Close = () => isNonSpecialPatternChar(tokenIndex, "]");

    const makeComponentString = () => {
      const token = tokens[tokenIndex];
      const startIndex = safeToken(componentStart).index;
      return input.slice(startIndex, token.index);
    };
    const rewind = () => {
      tokenIndex = componentStart;
      tokenIncrement = 0;
    };
    const rewindAndSetState = (newState) => {
      rewind();
      state = newState;
    };
    const changeState = (newState, skip) => {
      if (state !== S_INIT && state !== S_AUTHORITY && state !== S_DONE) {
        result[state] = makeComponentString();
      }
      if (state !== S_INIT && newState !== S_DONE) {
        // Components skipped over between the old and the new state are empty, not wildcards.
        const before = (...states) => states.includes(state);
        if (before(S_PROTOCOL, S_AUTHORITY, S_USERNAME, S_PASSWORD) &&
            [S_PORT, S_PATHNAME, S_SEARCH, S_HASH].includes(newState) && result.hostname === undefined) {
          result.hostname = "";
        }
        if (before(S_PROTOCOL, S_AUTHORITY, S_USERNAME, S_PASSWORD, S_HOSTNAME, S_PORT) &&
            (newState === S_SEARCH || newState === S_HASH) && result.pathname === undefined) {
          result.pathname = protocolMatchesSpecialScheme ? "/" : "";
        }
        if (before(S_PROTOCOL, S_AUTHORITY, S_USERNAME, S_PASSWORD, S_HOSTNAME, S_PORT, S_PATHNAME) &&
            newState === S_HASH && result.search === undefined) {
          result.search = "";
        }
      }
      state = newState;
      tokenIndex += skip;
      componentStart = tokenIndex;
      tokenIncrement = 0;
    };
    const computeProtocolMatchesSpecialScheme = () => {
      const component = compileComponent(makeComponentString(), canonicalizeProtocol, DEFAULT_OPTIONS);
      if (protocolComponentMatchesSpecialScheme(component)) protocolMatchesSpecialScheme = true;
    };

    while (tokenIndex < tokens.length) {
      tokenIncrement = 1;
      if (tokens[tokenIndex].type === T_END) {
        if (state === S_INIT) {
          // No protocol: a relative pattern, starting at the pathname, search or hash.
          rewind();
          if (isHashPrefix()) changeState(S_HASH, 1);
          else if (isSearchPrefix()) changeState(S_SEARCH, 1);
          else changeState(S_PATHNAME, 0);
          tokenIndex += tokenIncrement;
          continue;
        }
        if (state === S_AUTHORITY) {
          // No "@": there is no username or password.
          rewindAndSetState(S_HOSTNAME);
          tokenIndex += tokenIncrement;
          continue;
        }
        changeState(S_DONE, 0);
        break;
      }
      // Component boundaries inside "{ ... }" are not boundaries.
      if (isGroupOpen()) {
        groupDepth++;
        tokenIndex += tokenIncrement;
        continue;
      }
      if (groupDepth > 0) {
        if (isGroupClose()) {
          groupDepth--;
        } else {
          tokenIndex += tokenIncrement;
          continue;
        }
      }
      switch (state) {
        case S_INIT:
          if (isProtocolSuffix()) rewindAndSetState(S_PROTOCOL);
          break;
        case S_PROTOCOL:
          if (isProtocolSuffix()) {
            computeProtocolMatchesSpecialScheme();
            let nextState = S_PATHNAME;
            let skip = 1;
            if (nextIsAuthoritySlashes()) {
              nextState = S_AUTHORITY;
              skip = 3;
            } else if (protocolMatchesSpecialScheme) {
              nextState = S_AUTHORITY;
            }
            changeState(nextState, skip);
          }
          break;
        case S_AUTHORITY:
          if (isIdentityTerminator()) rewindAndSetState(S_USERNAME);
          else if (isPathnameStart() || isSearchPrefix() || isHashPrefix()) rewindAndSetState(S_HOSTNAME);
          break;
        case S_USERNAME:
          if (isPasswordPrefix()) changeState(S_PASSWORD, 1);
          else if (isIdentityTerminator()) changeState(S_HOSTNAME, 1);
          break;
        case S_PASSWORD:
          if (isIdentityTerminator()) changeState(S_HOSTNAME, 1);
          break;
        case S_HOSTNAME:
          if (isIPv6Open()) hostnameIPv6BracketDepth++;
          else if (isIPv6Close()) hostnameIPv6BracketDepth--;
          else if (isPortPrefix() && hostnameIPv6BracketDepth === 0) changeState(S_PORT, 1);
          else if (isPathnameStart()) changeState(S_PATHNAME, 0);
          else if (isSearchPrefix()) changeState(S_SEARCH, 1);
          else if (isHashPrefix()) changeState(S_HASH, 1);
          break;
        case S_PORT:
          if (isPathnameStart()) changeState(S_PATHNAME, 0);
          else if (isSearchPrefix()) changeState(S_SEARCH, 1);
          else if (isHashPrefix()) changeState(S_HASH, 1);
          break;
        case S_PATHNAME:
          if (isSearchPrefix()) changeState(S_SEARCH, 1);
          else if (isHashPrefix()) changeState(S_HASH, 1);
          break;
        case S_SEARCH:
          if (isHashPrefix()) changeState(S_HASH, 1);
          break;
        default:
          break;
      }
      tokenIndex += tokenIncrement;
    }
    // A hostname without a port means the default port, not any port.
    if (result.hostname !== undefined && result.port === undefined) result.port = "";
    return result;
  }

  // ---- the URL pattern -------------------------------------------------------------------
  function createURLPattern(input, baseURL, ignoreCase) {
    let init;
    if (typeof input === "string") {
      init = parseConstructorString(input);
      if (baseURL === null && init.protocol === undefined) throw patternError();
      if (baseURL !== null) init.baseURL = baseURL;
    } else {
      if (baseURL !== null) throw patternError();
      init = input;
    }
    const processed = processURLPatternInit(init, "pattern", {});
    for (const name of COMPONENTS) {
      if (processed[name] === undefined) processed[name] = "*";
    }
    if (SPECIAL_SCHEMES.includes(processed.protocol) && processed.port === DEFAULT_PORTS[processed.protocol]) {
      processed.port = "";
    }
    const pattern = {};
    pattern.protocol = compileComponent(processed.protocol, canonicalizeProtocol, DEFAULT_OPTIONS);
    pattern.username = compileComponent(processed.username, canonicalizeUsername, DEFAULT_OPTIONS);
    pattern.password = compileComponent(processed.password, canonicalizePassword, DEFAULT_OPTIONS);
    pattern.hostname = compileComponent(processed.hostname,
      hostnamePatternIsIPv6Address(processed.hostname) ? canonicalizeIPv6Hostname : canonicalizeHostname,
      HOSTNAME_OPTIONS);
    pattern.port = compileComponent(processed.port, canonicalizePort, DEFAULT_OPTIONS);
    const compileOptions = options("", "", ignoreCase);
    if (protocolComponentMatchesSpecialScheme(pattern.protocol)) {
      pattern.pathname = compileComponent(processed.pathname, canonicalizePathname, options("/", "/", ignoreCase));
    } else {
      pattern.pathname = compileComponent(processed.pathname, canonicalizeOpaquePathname, compileOptions);
    }
    pattern.search = compileComponent(processed.search, canonicalizeSearch, compileOptions);
    pattern.hash = compileComponent(processed.hash, canonicalizeHash, compileOptions);
    return pattern;
  }

  /** Matches `input` (a URL string or a converted URLPatternInit); returns a result or null. */
  function matchURLPattern(pattern, input, baseURLString, what) {
    let values;
    const inputs = [input];
    if (typeof input !== "string") {
      if (baseURLString !== undefined) throw new TypeError(`Failed to ${what} URLPattern`);
      try {
        values = processURLPatternInit(input, "url", {
          protocol: "", username: "", password: "", hostname: "", port: "", pathname: "", search: "", hash: "",
        });
      } catch {
        // Input that cannot be canonicalized matches nothing.
        return null;
      }
    } else {
      if (baseURLString !== undefined) inputs.push(baseURLString);
      // A base URL that fails to parse fails the match, as an input that fails does.
      const url = parseURL(input, baseURLString);
      if (url === null) return null;
      values = urlComponents(url);
    }
    const execResults = [];
    for (const name of COMPONENTS) {
      const execResult = builtinExec(pattern[name].regexp, values[name]);
      if (execResult === null) return null;
      execResults.push(execResult);
    }
    const result = { inputs };
    for (let i = 0; i < COMPONENTS.length; i++) {
      const name = COMPONENTS[i];
      const component = pattern[name];
      const groups = {};
      const nameList = component.nameList;
      for (let index = 1; index <= nameList.length; index++) {
        groups[nameList[index - 1]] = execResults[i][index];
      }
      result[name] = { input: values[name], groups };
    }
    return result;
  }

  // ---- Web IDL conversions ---------------------------------------------------------------
  // URLPatternInit members in Web IDL (lexicographic) order, read that way; results list them in
  // component order with baseURL last, as workerd does.
  const INIT_MEMBERS_IDL_ORDER = ["baseURL", "hash", "hostname", "password", "pathname", "port", "protocol", "search",
    "username"];
  const INIT_MEMBERS_OUTPUT_ORDER = [...COMPONENTS, "baseURL"];

  /** Web IDL USVString: unlike String(), a Symbol throws. */
  function toUSV(value) {
    return `${value}`.toWellFormed();
  }

  function isObjectLike(value) {
    return (typeof value === "object" && value !== null) || typeof value === "function";
  }

  function toURLPatternInit(value) {
    const read = {};
    if (value !== undefined && value !== null) {
      for (const name of INIT_MEMBERS_IDL_ORDER) {
        const member = value[name];
        if (member !== undefined) read[name] = toUSV(member);
      }
    }
    const init = {};
    for (const name of INIT_MEMBERS_OUTPUT_ORDER) {
      if (read[name] !== undefined) init[name] = read[name];
    }
    return init;
  }

  /** (USVString or URLPatternInit): objects, null and undefined are dictionaries. */
  function toURLPatternInput(value) {
    if (value === undefined || value === null || isObjectLike(value)) return toURLPatternInit(value);
    return toUSV(value);
  }

  function toURLPatternOptions(value, position) {
    if (value === undefined || value === null) return { ignoreCase: false };
    if (!isObjectLike(value)) {
      throw new TypeError(`Failed to construct 'URLPattern': constructor parameter ${position} is not of type 'URLPatternOptions'.`);
    }
    return { ignoreCase: Boolean(value.ignoreCase) };
  }

  function urlPatternState(self) {
    const state = isObjectLike(self) ? self[kState] : undefined;
    if (state === undefined || state.kind !== "URLPattern") throw illegalInvocation();
    return state;
  }

  function toOptionalBaseURL(value) {
    return value === undefined ? undefined : toUSV(value);
  }

  class URLPattern {
    // new URLPattern(input, baseURL, options) or new URLPattern(input, options).
    constructor(input = undefined, baseURL = undefined, options = undefined) {
      let base = null;
      let opts;
      input = toURLPatternInput(input);
      if (arguments.length >= 3) {
        // workerd reads an undefined or null baseURL as absent rather than as a string.
        if (baseURL !== undefined && baseURL !== null) base = toUSV(baseURL);
        opts = toURLPatternOptions(options, 3);
      } else if (baseURL === undefined || baseURL === null || isObjectLike(baseURL)) {
        opts = toURLPatternOptions(baseURL, 2);
      } else {
        base = toUSV(baseURL);
        opts = toURLPatternOptions(undefined, 2);
      }
      this[kState] = { kind: "URLPattern", pattern: createURLPattern(input, base, opts.ignoreCase) };
    }

    get protocol() { return urlPatternState(this).pattern.protocol.patternString; }
    get username() { return urlPatternState(this).pattern.username.patternString; }
    get password() { return urlPatternState(this).pattern.password.patternString; }
    get hostname() { return urlPatternState(this).pattern.hostname.patternString; }
    get port() { return urlPatternState(this).pattern.port.patternString; }
    get pathname() { return urlPatternState(this).pattern.pathname.patternString; }
    get search() { return urlPatternState(this).pattern.search.patternString; }
    get hash() { return urlPatternState(this).pattern.hash.patternString; }

    get hasRegExpGroups() {
      const pattern = urlPatternState(this).pattern;
      return COMPONENTS.some((name) => pattern[name].hasRegExpGroups);
    }

    test(input = undefined, baseURL = undefined) {
      const state = urlPatternState(this);
      return matchURLPattern(state.pattern, toURLPatternInput(input), toOptionalBaseURL(baseURL), "test") !== null;
    }

    exec(input = undefined, baseURL = undefined) {
      const state = urlPatternState(this);
      return matchURLPattern(state.pattern, toURLPatternInput(input), toOptionalBaseURL(baseURL), "exec");
    }
  }
  webidlInterface(URLPattern);
  defineGlobal("URLPattern", URLPattern);
});
