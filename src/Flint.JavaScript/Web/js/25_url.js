// URL and URLSearchParams, written from the WHATWG URL Standard (url.spec.whatwg.org).
//
// A parsed URL is a UrlRecord. Its path is kept serialized ("" for an empty path list,
// "/a/b" for ["a", "b"], or the opaque path itself) because that is what getters and the
// href need; the parser splits it into a list only when it has to edit it.
//
// Speed: `new URL(request.url)` runs on nearly every request, so an absolute http(s)/ws(s)
// URL that is already in normal form takes fastParse(), which only checks characters and
// slices, and reuses the input as the href. Everything else takes the full state machine,
// which still works on slices of the input rather than one code point at a time. A URL's
// URLSearchParams is built on first access.
//
// IDNA (UTS #46, as the Standard's "domain to ASCII" uses it) works without the mapping
// table, which is large:
//   - an all-ASCII domain is only lowercased, exactly as the Standard says for non-strict
//     mode (so "xn--" labels in it are not checked);
//   - other code points map through NFKC + toLowerCase, with the few places where UTS #46's
//     case folding differs spelled out (Cherokee, U+1C80..U+1C88, iota subscript, final
//     sigma variants); ignored code points and the ideographic full stops are listed;
//     "disallowed" is unassigned, private use, surrogate, control, format (except ZWJ/ZWNJ),
//     space and line/paragraph separators, U+FFFC, U+FFFD, U+2FF0..U+2FFF, U+31EF, and any
//     code point whose mapping would bring in a dot. Checked against the UTS #46 17.0 table,
//     every non-ASCII code point maps the same, as far as V8's own Unicode data goes;
//   - CheckJoiners: ZWJ/ZWNJ after a virama (the code points of canonical combining class 9
//     as of Unicode 15.1, listed), ZWNJ by the joining-type rule with ArabicShaping's types;
//   - CheckBidi (RFC 5893) approximates bidi classes by ranges: the Hebrew, Arabic, Syriac,
//     Thaana, NKo, ... blocks are R (punctuation there too, where Unicode says CS or ON),
//     Arabic-Indic digits AN, ASCII and Extended Arabic-Indic digits EN, marks NSM, letters
//     and other digits L, everything else ON.

// ---- percent-encode sets -----------------------------------------------------------------
// A set is a 128-entry table for ASCII (1 = encode); code points above U+007E are in every set.
function percentEncodeSet(base, extra) {
  const t = new Uint8Array(128);
  if (base !== null) t.set(base);
  for (let i = 0; i < 0x20; i++) t[i] = 1;
  t[0x7f] = 1;
  for (let i = 0; i < extra.length; i++) t[extra.charCodeAt(i)] = 1;
  return t;
}
const C0_CONTROL_SET = percentEncodeSet(null, "");
const FRAGMENT_SET = percentEncodeSet(C0_CONTROL_SET, " \"<>`");
const QUERY_SET = percentEncodeSet(C0_CONTROL_SET, " \"#<>");
const SPECIAL_QUERY_SET = percentEncodeSet(QUERY_SET, "'");
const PATH_SET = percentEncodeSet(QUERY_SET, "?^`{}");
const USERINFO_SET = percentEncodeSet(PATH_SET, "/:;=@[\\]^|");
const COMPONENT_SET = percentEncodeSet(USERINFO_SET, "$%&+,");
const FORM_URLENCODED_SET = percentEncodeSet(COMPONENT_SET, "!'()~");

// "%00".."%FF", as one split: a loop of toString calls here cost a noticeable part of isolate start.
const PERCENT_HEX = "%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2D%2E%2F%30%31%32%33%34%35%36%37%38%39%3A%3B%3C%3D%3E%3F%40%41%42%43%44%45%46%47%48%49%4A%4B%4C%4D%4E%4F%50%51%52%53%54%55%56%57%58%59%5A%5B%5C%5D%5E%5F%60%61%62%63%64%65%66%67%68%69%6A%6B%6C%6D%6E%6F%70%71%72%73%74%75%76%77%78%79%7A%7B%7C%7D%7E%7F%80%81%82%83%84%85%86%87%88%89%8A%8B%8C%8D%8E%8F%90%91%92%93%94%95%96%97%98%99%9A%9B%9C%9D%9E%9F%A0%A1%A2%A3%A4%A5%A6%A7%A8%A9%AA%AB%AC%AD%AE%AF%B0%B1%B2%B3%B4%B5%B6%B7%B8%B9%BA%BB%BC%BD%BE%BF%C0%C1%C2%C3%C4%C5%C6%C7%C8%C9%CA%CB%CC%CD%CE%CF%D0%D1%D2%D3%D4%D5%D6%D7%D8%D9%DA%DB%DC%DD%DE%DF%E0%E1%E2%E3%E4%E5%E6%E7%E8%E9%EA%EB%EC%ED%EE%EF%F0%F1%F2%F3%F4%F5%F6%F7%F8%F9%FA%FB%FC%FD%FE%FF".match(/%../g);

/** UTF-8 percent-encodes the code points of `s` that are in `set`; returns `s` itself when none are. */
function percentEncode(s, set, spaceAsPlus = false) {
  const len = s.length;
  let i = 0;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7e || set[c] === 1) break;
  }
  if (i === len) return s;
  let out = s.slice(0, i);
  let last = i;
  for (; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c <= 0x7e && set[c] === 0) continue;
    if (i > last) out += s.slice(last, i);
    last = i + 1;
    if (c < 0x80) {
      out += c === 0x20 && spaceAsPlus ? "+" : PERCENT_HEX[c];
    } else if (c < 0x800) {
      out += PERCENT_HEX[0xc0 | (c >> 6)] + PERCENT_HEX[0x80 | (c & 63)];
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = s.charCodeAt(i + 1);
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          last = i + 1;
          out += PERCENT_HEX[0xf0 | (c >> 18)] + PERCENT_HEX[0x80 | ((c >> 12) & 63)] +
            PERCENT_HEX[0x80 | ((c >> 6) & 63)] + PERCENT_HEX[0x80 | (c & 63)];
          continue;
        }
        c = 0xfffd; // a lone surrogate; callers pass USVStrings, so this is defensive
      }
      out += PERCENT_HEX[0xe0 | (c >> 12)] + PERCENT_HEX[0x80 | ((c >> 6) & 63)] + PERCENT_HEX[0x80 | (c & 63)];
    }
  }
  if (last < len) out += s.slice(last);
  return out;
}

function hexValue(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** Percent-decodes `s` and decodes the bytes as UTF-8 (U+FFFD for bad sequences, BOM kept). */
function percentDecodeString(s) {
  if (s.indexOf("%") === -1) return s;
  // decodeURIComponent agrees with the Standard whenever it succeeds; it throws on the rest
  // (a stray "%", or bytes that are not UTF-8), which then take the byte-wise path.
  try {
    return decodeURIComponent(s);
  } catch {
    // fall through
  }
  const bytes = utf8Encode(s);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1]), lo = hexValue(bytes[i + 2]);
      if (hi >= 0 && lo >= 0) { out[n++] = (hi << 4) | lo; i += 2; continue; }
    }
    out[n++] = b;
  }
  return utf8Decode(out.subarray(0, n), false, true);
}

// ---- hosts -------------------------------------------------------------------------------
function codeTable(chars, ranges = []) {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  for (let r = 0; r < ranges.length; r++) for (let i = ranges[r][0]; i <= ranges[r][1]; i++) t[i] = 1;
  return t;
}
const FORBIDDEN_HOST = codeTable("\0\t\n\r #/:<>?@[\\]^|");
const FORBIDDEN_DOMAIN = codeTable("\0\t\n\r #/:<>?@[\\]^|%\x7f", [[0, 0x1f]]);

/** The host parser. Returns the serialized host, or null on failure. */
function parseHost(input, isOpaque) {
  if (input.charCodeAt(0) === 0x5b) {
    if (input.charCodeAt(input.length - 1) !== 0x5d) return null;
    const address = parseIPv6(input.slice(1, -1));
    return address === null ? null : "[" + serializeIPv6(address) + "]";
  }
  if (isOpaque) {
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      if (c < 128 && FORBIDDEN_HOST[c] === 1) return null;
    }
    return percentEncode(input, C0_CONTROL_SET);
  }
  const ascii = domainToASCII(percentDecodeString(input));
  if (ascii === null) return null;
  for (let i = 0; i < ascii.length; i++) {
    const c = ascii.charCodeAt(i);
    if (c < 128 && FORBIDDEN_DOMAIN[c] === 1) return null;
  }
  if (endsInANumber(ascii)) return parseIPv4(ascii);
  return ascii;
}

function endsInANumber(s) {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 0x2e) end--; // a trailing empty label is ignored
  if (end === 0) return false;
  const start = s.lastIndexOf(".", end - 1) + 1;
  if (start === end) return false;
  const f = s.charCodeAt(start);
  if (f < 0x30 || f > 0x39) return false; // fast exit for ordinary names
  let digits = true;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) { digits = false; break; }
  }
  return digits || parseIPv4Number(s.slice(start, end)) >= 0;
}

/** An IPv4 number (decimal, 0x-hex or 0-octal), or -1 on failure. */
function parseIPv4Number(s) {
  if (s === "") return -1;
  let radix = 10, i = 0;
  if (s.length >= 2 && s.charCodeAt(0) === 0x30) {
    if ((s.charCodeAt(1) | 0x20) === 0x78) { radix = 16; i = 2; } else { radix = 8; i = 1; }
  }
  let n = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = radix === 16 ? hexValue(c) : c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
    if (d < 0 || d >= radix) return -1;
    n = n * radix + d;
  }
  return n;
}

/** Parses an IPv4 address and returns it serialized, or null. */
function parseIPv4(s) {
  const parts = s.split(".");
  if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
  if (parts.length > 4) return null;
  const numbers = [];
  for (let pi = 0; pi < parts.length; pi++) {
    const part = parts[pi];
    const n = parseIPv4Number(part);
    if (n < 0) return null;
    ArrayPrototypePush(numbers, n);
  }
  for (let i = 0; i < numbers.length - 1; i++) if (numbers[i] > 255) return null;
  let ipv4 = numbers[numbers.length - 1];
  if (ipv4 >= 256 ** (5 - numbers.length)) return null;
  for (let i = 0; i < numbers.length - 1; i++) ipv4 += numbers[i] * 256 ** (3 - i);
  return `${ipv4 >>> 24}.${(ipv4 >>> 16) & 255}.${(ipv4 >>> 8) & 255}.${ipv4 & 255}`;
}

/** Parses the text between the brackets into eight 16-bit pieces, or null. */
function parseIPv6(s) {
  const address = [0, 0, 0, 0, 0, 0, 0, 0];
  const len = s.length;
  let piece = 0, compress = -1, p = 0;
  if (s.charCodeAt(0) === 0x3a) {
    if (s.charCodeAt(1) !== 0x3a) return null;
    p = 2;
    compress = ++piece;
  }
  while (p < len) {
    if (piece === 8) return null;
    if (s.charCodeAt(p) === 0x3a) {
      if (compress !== -1) return null;
      p++;
      compress = ++piece;
      continue;
    }
    let value = 0, length = 0;
    while (length < 4 && p < len) {
      const h = hexValue(s.charCodeAt(p));
      if (h < 0) break;
      value = value * 16 + h;
      p++;
      length++;
    }
    const c = p < len ? s.charCodeAt(p) : -1;
    if (c === 0x2e) {
      if (length === 0) return null;
      p -= length;
      if (piece > 6) return null;
      let numbersSeen = 0;
      while (p < len) {
        let ipv4Piece = -1;
        if (numbersSeen > 0) {
          if (s.charCodeAt(p) === 0x2e && numbersSeen < 4) p++;
          else return null;
        }
        let d = s.charCodeAt(p);
        if (!(d >= 0x30 && d <= 0x39)) return null;
        while (d >= 0x30 && d <= 0x39) {
          const number = d - 0x30;
          if (ipv4Piece === -1) ipv4Piece = number;
          else if (ipv4Piece === 0) return null;
          else ipv4Piece = ipv4Piece * 10 + number;
          if (ipv4Piece > 255) return null;
          d = s.charCodeAt(++p);
        }
        address[piece] = address[piece] * 0x100 + ipv4Piece;
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) piece++;
      }
      if (numbersSeen !== 4) return null;
      break;
    } else if (c === 0x3a) {
      p++;
      if (p >= len) return null;
    } else if (c !== -1) {
      return null;
    }
    address[piece++] = value;
  }
  if (compress !== -1) {
    let swaps = piece - compress;
    piece = 7;
    while (piece !== 0 && swaps > 0) {
      const t = address[piece];
      address[piece] = address[compress + swaps - 1];
      address[compress + swaps - 1] = t;
      piece--;
      swaps--;
    }
  } else if (piece !== 8) {
    return null;
  }
  return address;
}

function serializeIPv6(address) {
  // Compress the first longest run of two or more zero pieces.
  let compress = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (address[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && address[j] === 0) j++;
    if (j - i > bestLen) { bestLen = j - i; compress = i; }
    i = j;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === compress) {
      out += i === 0 ? "::" : ":";
      i += bestLen - 1;
      continue;
    }
    out += address[i].toString(16);
    if (i !== 7) out += ":";
  }
  return out;
}

// ---- IDNA --------------------------------------------------------------------------------
/** The Standard's domain to ASCII with beStrict = false; null on failure. */
function domainToASCII(domain) {
  let upper = false;
  for (let i = 0; i < domain.length; i++) {
    const c = domain.charCodeAt(i);
    if (c >= 0x80) {
      const result = uts46ToASCII(domain);
      return result === "" ? null : result;
    }
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (domain === "") return null;
  return upper ? domain.toLowerCase() : domain;
}

// The Unicode classes IDNA needs, built on first use: as literals at the top level they cost about
// a millisecond of every isolate's start, and most Workers never see a non-ASCII host.
let idnaCache;
function idnaPatterns() {
  return idnaCache ??= {
    IDNA_IGNORED: /[\u00AD\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B\u2060-\u2064\u206A-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\u{1BCA0}-\u{1BCA3}\u{1D173}-\u{1D17A}\u{E0100}-\u{E01EF}]/u,
    IDNA_DISALLOWED: /[\p{Cc}\p{Cn}\p{Co}\p{Cs}\p{Zs}\p{Zl}\p{Zp}\uFFFC\uFFFD\u2FF0-\u2FFF\u31EF]|(?![\u200C\u200D])\p{Cf}/u,
    LABEL_SEPARATORS: /[\u3002\uFF0E\uFF61]/u,
    CHEROKEE: /[\u13A0-\u13FF\uAB70-\uABBF]/u,
    STARTS_WITH_MARK: /^\p{M}/u,
    VIRAMA: /^[\u094D\u09CD\u0A4D\u0ACD\u0B4D\u0BCD\u0C4D\u0CCD\u0D3B\u0D3C\u0D4D\u0DCA\u0E3A\u0EBA\u0F84\u1039\u103A\u1714\u1715\u1734\u17D2\u1A60\u1B44\u1BAA\u1BAB\u1BF2\u1BF3\u2D7F\uA806\uA82C\uA8C4\uA953\uA9C0\uAAF6\uABED\u{10A3F}\u{11046}\u{11070}\u{1107F}\u{110B9}\u{11133}\u{11134}\u{111C0}\u{11235}\u{112EA}\u{1134D}\u{11442}\u{114C2}\u{115BF}\u{1163F}\u{116B6}\u{1172B}\u{11839}\u{1193D}\u{1193E}\u{119E0}\u{11A34}\u{11A47}\u{11A99}\u{11C3F}\u{11D44}\u{11D45}\u{11D97}\u{11F41}\u{11F42}]$/u,
    TRANSPARENT_MARK: /^[\p{Mn}\p{Me}\p{Cf}]$/u,
    BIDI_R: /[\u0590-\u05FF\u0606-\u065F\u066D-\u06DC\u06DE-\u06EF\u06FA-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFE\u{10800}-\u{10D2F}\u{10D3A}-\u{10E5F}\u{10E7F}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u,
    BIDI_AN: /[\u0600-\u0605\u0660-\u0669\u066B\u066C\u06DD\u08E2\u{10D30}-\u{10D39}\u{10E60}-\u{10E7E}]/u,
    BIDI_EN: /[0-9\u06F0-\u06F9\u00B2\u00B3\u00B9\u2070-\u2079\u2080-\u2089\uFF10-\uFF19]/u,
    BIDI_NSM: /[\p{Mn}\p{Me}]/u,
    BIDI_L: /[\p{L}\p{Mc}\p{Nd}\p{Nl}]/u,
    BIDI_HAS_RTL: /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFE\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u,
  };
}
const CYRILLIC_VARIANTS = "\u0432\u0434\u043E\u0441\u0442\u0442\u044A\u0463\uA64B"; // U+1C80..U+1C88 fold to these
// Canonical combining class 9 (virama), Unicode 15.1.
// Joining types from Unicode's ArabicShaping.txt: dual (D), right (R) and left (L) joining.
const JOINING_DUAL = "\u0620\u0626\u0628\u062A-\u062E\u0633-\u063F\u0641-\u0647\u0649-\u064A\u066E-\u066F\u0678-\u0687\u069A-\u06BF\u06C1-\u06C2\u06CC\u06CE\u06D0-\u06D1\u06FA-\u06FC\u06FF\u0712-\u0714\u071A-\u071D\u071F-\u0727\u0729\u072B\u072D-\u072E\u074E-\u0758\u075C-\u076A\u076D-\u0770\u0772\u0775-\u0777\u077A-\u077F\u07CA-\u07EA\u0841-\u0845\u0848\u084A-\u0853\u0855\u0860\u0862-\u0865\u0868\u0886\u0889-\u088D\u088F\u08A0-\u08A9\u08AF-\u08B0\u08B3-\u08B8\u08BA-\u08C8\u1807\u1820-\u1878\u1887-\u18A8\u18AA\uA840-\uA871\u{10AC0}-\u{10AC4}\u{10AD3}-\u{10AD6}\u{10AD8}-\u{10ADC}\u{10ADE}-\u{10AE0}\u{10AEB}-\u{10AEE}\u{10B80}\u{10B82}\u{10B86}-\u{10B88}\u{10B8A}-\u{10B8B}\u{10B8D}\u{10B90}\u{10BAD}-\u{10BAE}\u{10D01}-\u{10D21}\u{10D23}\u{10EC3}-\u{10EC4}\u{10EC6}-\u{10EC7}\u{10F30}-\u{10F32}\u{10F34}-\u{10F44}\u{10F51}-\u{10F53}\u{10F70}-\u{10F73}\u{10F76}-\u{10F81}\u{10FB0}\u{10FB2}-\u{10FB3}\u{10FB8}\u{10FBB}-\u{10FBC}\u{10FBE}-\u{10FBF}\u{10FC1}\u{10FC4}\u{10FCA}\u{1E900}-\u{1E943}";
// Built on first use: these big Unicode classes cost about a millisecond of every isolate's start.
let joiningLeftRe, joiningRightRe;
function joiningLeftOrDual() {
  return joiningLeftRe ??= new RegExp(`^[\uA872\u{10ACD}\u{10AD7}\u{10D00}\u{10FCB}${JOINING_DUAL}]$`, "u");
}
function joiningRightOrDual() {
  return joiningRightRe ??= new RegExp(`^[\u0622-\u0625\u0627\u0629\u062F-\u0632\u0648\u0671-\u0673\u0675-\u0677\u0688-\u0699\u06C0\u06C3-\u06CB\u06CD\u06CF\u06D2-\u06D3\u06D5\u06EE-\u06EF\u0710\u0715-\u0719\u071E\u0728\u072A\u072C\u072F\u074D\u0759-\u075B\u076B-\u076C\u0771\u0773-\u0774\u0778-\u0779\u0840\u0846-\u0847\u0849\u0854\u0856-\u0858\u0867\u0869-\u086A\u0870-\u0882\u088E\u08AA-\u08AC\u08AE\u08B1-\u08B2\u08B9\u{10AC5}\u{10AC7}\u{10AC9}-\u{10ACA}\u{10ACE}-\u{10AD2}\u{10ADD}\u{10AE1}\u{10AE4}\u{10AEF}\u{10B81}\u{10B83}-\u{10B85}\u{10B89}\u{10B8C}\u{10B8E}-\u{10B8F}\u{10B91}\u{10BA9}-\u{10BAC}\u{10D22}\u{10EC2}\u{10F33}\u{10F54}\u{10F74}-\u{10F75}\u{10FB4}-\u{10FB6}\u{10FB9}-\u{10FBA}\u{10FBD}\u{10FC2}-\u{10FC3}\u{10FC9}${JOINING_DUAL}]$`, "u");
}

function mapCodePoint(ch) {
  if (idnaPatterns().IDNA_IGNORED.test(ch)) return "";
  if (idnaPatterns().LABEL_SEPARATORS.test(ch)) return ".";
  if (idnaPatterns().IDNA_DISALLOWED.test(ch)) return null;
  // Case folding differs from lowercasing here: Cherokee folds to uppercase.
  if (idnaPatterns().CHEROKEE.test(ch)) return ch.toUpperCase();
  if (ch === "\u03F2") return "\u03C3";
  const c = ch.charCodeAt(0);
  if (c >= 0x1c80 && c <= 0x1c88) return CYRILLIC_VARIANTS[c - 0x1c80];
  let mapped = ch.normalize("NFKC").toLowerCase();
  // Case folding turns the Greek iota subscript (ypogegrammeni) into a full iota.
  if (c === 0x345 || (c >= 0x1f80 && c <= 0x1ffc)) mapped = mapped.normalize("NFD").replaceAll("\u0345", "\u03B9").normalize("NFC");
  // Only U+03C2 itself stays a final sigma (a deviation); its variants fold to U+03C3.
  if (mapped === "\u03C2" && c !== 0x3c2) mapped = "\u03C3";
  // A compatibility mapping that introduces a dot (U+2024, U+2488, U+FE12, ...) is disallowed.
  if (mapped.indexOf(".") !== -1 || idnaPatterns().LABEL_SEPARATORS.test(mapped)) return null;
  for (const m of mapped) if (m !== ch && idnaPatterns().IDNA_DISALLOWED.test(m)) return null;
  return mapped;
}

function uts46Map(domain) {
  let out = "";
  for (const ch of domain) {
    const c = ch.charCodeAt(0);
    if (c < 0x80) { out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 32) : ch; continue; }
    const m = mapCodePoint(ch);
    if (m === null) return null;
    out += m;
  }
  return out.normalize("NFC");
}

function isAsciiString(s) {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function uts46ToASCII(domain) {
  const mapped = uts46Map(domain);
  if (mapped === null) return null;
  const labels = mapped.split(".");
  const unicodeLabels = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    let unicode = label;
    if (label.startsWith("xn--")) {
      if (!isAsciiString(label)) return null;
      unicode = punycodeDecode(label.slice(4));
      if (unicode === null || unicode === "" || isAsciiString(unicode)) return null;
      // A decoded label must already be in mapped, NFC form.
      if (unicode.normalize("NFC") !== unicode || uts46Map(unicode) !== unicode || unicode.startsWith("xn--")) return null;
    }
    if (!isAsciiString(unicode) && !validLabel(unicode)) return null;
    ArrayPrototypePush(unicodeLabels, unicode);
  }
  if (!checkBidi(unicodeLabels)) return null;
  for (let i = 0; i < labels.length; i++) {
    if (!isAsciiString(labels[i])) labels[i] = "xn--" + punycodeEncode(labels[i]);
  }
  return ArrayPrototypeJoin(labels, ".");
}

function validLabel(label) {
  if (idnaPatterns().STARTS_WITH_MARK.test(label)) return false;
  if (label.indexOf("\u200C") === -1 && label.indexOf("\u200D") === -1) return true;
  // CheckJoiners (RFC 5892 appendix A.1 and A.2).
  const cps = Array.from(label);
  for (let i = 0; i < cps.length; i++) {
    if (cps[i] !== "\u200C" && cps[i] !== "\u200D") continue;
    if (i > 0 && idnaPatterns().VIRAMA.test(cps[i - 1])) continue;
    if (cps[i] === "\u200C") {
      let l = i - 1, r = i + 1;
      while (l >= 0 && idnaPatterns().TRANSPARENT_MARK.test(cps[l])) l--;
      while (r < cps.length && idnaPatterns().TRANSPARENT_MARK.test(cps[r])) r++;
      if (l >= 0 && r < cps.length && joiningLeftOrDual().test(cps[l]) && joiningRightOrDual().test(cps[r])) continue;
    }
    return false;
  }
  return true;
}

// Approximate bidi classes for CheckBidi (RFC 5893).

function bidiClass(ch) {
  if (idnaPatterns().BIDI_NSM.test(ch)) return "NSM";
  if (idnaPatterns().BIDI_AN.test(ch)) return "AN";
  if (idnaPatterns().BIDI_EN.test(ch)) return "EN";
  if (idnaPatterns().BIDI_R.test(ch)) return "R";
  if (idnaPatterns().BIDI_L.test(ch)) return "L";
  return "ON";
}

function checkBidi(labels) {
  // A bidi domain name has a character of class R, AL or AN somewhere.
  if (!labels.some((label) => idnaPatterns().BIDI_HAS_RTL.test(label))) return true;
  const labelClasses = labels.map((label) => Array.from(label, bidiClass));
  if (!labelClasses.some((classes) => classes.includes("R") || classes.includes("AN"))) return true;
  for (let ci = 0; ci < labelClasses.length; ci++) {
    const classes = labelClasses[ci];
    if (classes.length === 0) continue;
    const first = classes[0];
    let last = classes.length - 1;
    while (last > 0 && classes[last] === "NSM") last--;
    if (first === "R") {
      let en = false, an = false;
      for (let ki = 0; ki < classes.length; ki++) {
        const k = classes[ki];
        if (k === "L") return false;
        if (k === "EN") en = true;
        if (k === "AN") an = true;
      }
      if (en && an) return false;
      const e = classes[last];
      if (e !== "R" && e !== "EN" && e !== "AN") return false;
    } else if (first === "L") {
      for (let ki = 0; ki < classes.length; ki++) if (classes[ki] === "R" || classes[ki] === "AN") return false;
      const e = classes[last];
      if (e !== "L" && e !== "EN") return false;
    } else {
      return false;
    }
  }
  return true;
}

// ---- Punycode (RFC 3492) -----------------------------------------------------------------
const PUNY_BASE = 36, PUNY_TMIN = 1, PUNY_TMAX = 26, PUNY_SKEW = 38, PUNY_DAMP = 700;

function punycodeAdapt(delta, numPoints, firstTime) {
  delta = firstTime ? Math.floor(delta / PUNY_DAMP) : delta >> 1;
  delta += Math.floor(delta / numPoints);
  let k = 0;
  while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) >> 1) {
    delta = Math.floor(delta / (PUNY_BASE - PUNY_TMIN));
    k += PUNY_BASE;
  }
  return k + Math.floor(((PUNY_BASE - PUNY_TMIN + 1) * delta) / (delta + PUNY_SKEW));
}

function punycodeThreshold(k, bias) {
  return k <= bias ? PUNY_TMIN : k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;
}

function punycodeDigit(d) {
  return String.fromCharCode(d < 26 ? 0x61 + d : 0x16 + d); // a..z, 0..9
}

function punycodeEncode(input) {
  const cps = Array.from(input, (ch) => ch.codePointAt(0));
  let out = "";
  for (let i = 0; i < cps.length; i++) if (cps[i] < 0x80) out += String.fromCharCode(cps[i]);
  const basic = out.length;
  let handled = basic;
  if (basic > 0) out += "-";
  let n = 0x80, delta = 0, bias = 72;
  while (handled < cps.length) {
    let m = Infinity;
    for (let i = 0; i < cps.length; i++) if (cps[i] >= n && cps[i] < m) m = cps[i];
    delta += (m - n) * (handled + 1);
    n = m;
    for (let ci = 0; ci < cps.length; ci++) {
      const cp = cps[ci];
      if (cp < n) delta++;
      if (cp !== n) continue;
      let q = delta;
      for (let k = PUNY_BASE; ; k += PUNY_BASE) {
        const t = punycodeThreshold(k, bias);
        if (q < t) break;
        out += punycodeDigit(t + ((q - t) % (PUNY_BASE - t)));
        q = Math.floor((q - t) / (PUNY_BASE - t));
      }
      out += punycodeDigit(q);
      bias = punycodeAdapt(delta, handled + 1, handled === basic);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return out;
}

function punycodeDecode(input) {
  const out = [];
  const dash = input.lastIndexOf("-");
  const basic = dash < 0 ? 0 : dash;
  for (let j = 0; j < basic; j++) {
    const c = input.charCodeAt(j);
    if (c >= 0x80) return null;
    ArrayPrototypePush(out, c);
  }
  let n = 0x80, bias = 72, i = 0;
  for (let idx = basic > 0 ? basic + 1 : 0; idx < input.length;) {
    const oldi = i;
    let w = 1;
    for (let k = PUNY_BASE; ; k += PUNY_BASE) {
      if (idx >= input.length) return null;
      const c = input.charCodeAt(idx++);
      const digit = c >= 0x30 && c <= 0x39 ? c - 22 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a ? (c | 0x20) - 0x61 : -1;
      if (digit < 0) return null;
      i += digit * w;
      if (i > 0x7fffffff) return null;
      const t = punycodeThreshold(k, bias);
      if (digit < t) break;
      w *= PUNY_BASE - t;
      if (w > 0x7fffffff) return null;
    }
    bias = punycodeAdapt(i - oldi, out.length + 1, oldi === 0);
    n += Math.floor(i / (out.length + 1));
    i %= out.length + 1;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    out.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...out);
}

// ---- URL records -------------------------------------------------------------------------
class UrlRecord {
  constructor(scheme, special, username, password, host, port, path, opaque, query, fragment, href) {
    this.scheme = scheme;
    this.special = special;
    this.username = username;
    this.password = password;
    this.host = host;         // serialized host, "" (empty host) or null
    this.port = port;         // number or null
    this.path = path;         // serialized path list, or the opaque path
    this.opaque = opaque;
    this.query = query;       // string or null
    this.fragment = fragment; // string or null
    this.href = href;         // cached serialization, null when stale
    this.params = null;       // this URL's URLSearchParams, once script asked for it
  }
}

function emptyRecord() {
  return new UrlRecord("", false, "", "", null, null, "", false, null, null, null);
}

function defaultPort(scheme) {
  switch (scheme) {
    case "http": case "ws": return 80;
    case "https": case "wss": return 443;
    case "ftp": return 21;
    default: return null;
  }
}

function isSpecialScheme(scheme) {
  switch (scheme) {
    case "http": case "https": case "ws": case "wss": case "ftp": case "file": return true;
    default: return false;
  }
}

function serializeURL(r) {
  let out = r.scheme + ":";
  if (r.host !== null) {
    out += "//";
    if (r.username !== "" || r.password !== "") {
      out += r.username;
      if (r.password !== "") out += ":" + r.password;
      out += "@";
    }
    out += r.host;
    if (r.port !== null) out += ":" + r.port;
  } else if (!r.opaque && r.path.length > 1 && r.path.charCodeAt(1) === 0x2f) {
    out += "/."; // keeps a path starting with "//" from reading as a host
  }
  out += r.path;
  if (r.query !== null) out += "?" + r.query;
  if (r.fragment !== null) out += "#" + r.fragment;
  return out;
}

function hrefOf(r) {
  let href = r.href;
  if (href === null) href = r.href = serializeURL(r);
  return href;
}

function originOf(r) {
  switch (r.scheme) {
    case "http": case "https": case "ws": case "wss": case "ftp":
      return r.scheme + "://" + r.host + (r.port === null ? "" : ":" + r.port);
    case "blob": {
      const inner = parseURL(r.path, null);
      if (inner !== null && (inner.scheme === "http" || inner.scheme === "https")) return originOf(inner);
      return "null";
    }
    default:
      return "null";
  }
}

// ---- the fast path -----------------------------------------------------------------------
// `new URL(request.url)` runs on nearly every request, so an absolute http(s)/ws(s) URL that
// is already in normal form skips the state machine: one pass checks each character against
// what its part may hold unchanged, and the parts are slices of the input, which is the href.
// Builtin calls are kept few on purpose; each costs about as much as scanning ten characters.
const FAST_HOST = 1, FAST_PATH = 2, FAST_QUERY = 4, FAST_FRAGMENT = 8;
const FAST_CHARS = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) {
  let f = 0;
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f) f |= FAST_HOST;
  if (PATH_SET[c] === 0 && c !== 0x2f && c !== 0x5c) f |= FAST_PATH;
  if (SPECIAL_QUERY_SET[c] === 0 && c !== 0x23) f |= FAST_QUERY;
  if (FRAGMENT_SET[c] === 0) f |= FAST_FRAGMENT;
  FAST_CHARS[c] = f;
}

/** Whether the path segment starting at i is "." or ".." in any spelling. */
function dotSegmentAt(s, i, len) {
  let dots = 0;
  while (dots < 2) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) { i++; dots++; }
    else if (c === 0x25 && s.charCodeAt(i + 1) === 0x32 && (s.charCodeAt(i + 2) | 0x20) === 0x65) { i += 3; dots++; }
    else break;
  }
  if (dots === 0) return false;
  if (i >= len) return true;
  const c = s.charCodeAt(i);
  return c === 0x2f || c === 0x3f || c === 0x23;
}

/**
 * Parses an absolute http, https, ws or wss URL in normal form: lowercase ASCII domain whose
 * last label does not start with a digit (no IPv4), no credentials, no default or
 * zero-padded port, no dot segments, nothing to percent-encode. Returns null for anything
 * else, which the full parser then handles.
 */
function fastParse(s) {
  const len = s.length;
  let scheme, i;
  const c0 = s.charCodeAt(0);
  if (c0 === 0x68) { // h
    if (s.charCodeAt(1) !== 0x74 || s.charCodeAt(2) !== 0x74 || s.charCodeAt(3) !== 0x70) return null;
    if (s.charCodeAt(4) === 0x73) { scheme = "https"; i = 5; } else { scheme = "http"; i = 4; }
  } else if (c0 === 0x77 && s.charCodeAt(1) === 0x73) { // ws
    if (s.charCodeAt(2) === 0x73) { scheme = "wss"; i = 3; } else { scheme = "ws"; i = 2; }
  } else {
    return null;
  }
  if (s.charCodeAt(i) !== 0x3a || s.charCodeAt(i + 1) !== 0x2f || s.charCodeAt(i + 2) !== 0x2f) return null;
  i += 3;
  const hostStart = i;
  let labelStart = i, c = -1;
  for (; i < len; i++) {
    c = s.charCodeAt(i);
    if (c === 0x2e) labelStart = i + 1;
    else if (c >= 128 || (FAST_CHARS[c] & FAST_HOST) === 0) break;
  }
  if (i === len) c = -1;
  // An empty host, a trailing dot, or a last label starting with a digit (maybe IPv4)
  // takes the full parser.
  if (labelStart === i) return null;
  const f = s.charCodeAt(labelStart);
  if (f <= 0x39) return null;
  const hostEnd = i;
  let port = null;
  if (c === 0x3a) {
    const portStart = ++i;
    let n = 0;
    for (; i < len; i++) {
      c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + c - 0x30;
    }
    if (i === len) c = -1;
    if (i === portStart || n > 65535 || n === defaultPort(scheme)) return null;
    if (s.charCodeAt(portStart) === 0x30 && i - portStart > 1) return null;
    port = n;
  }
  const pathStart = i;
  let path, href = s;
  if (c === 0x2f) {
    for (;;) {
      i++; // past "/"
      c = s.charCodeAt(i);
      if ((c === 0x2e || c === 0x25) && dotSegmentAt(s, i, len)) return null;
      for (; i < len; i++) {
        c = s.charCodeAt(i);
        if (c >= 128 || (FAST_CHARS[c] & FAST_PATH) === 0) break;
      }
      if (i === len) { c = -1; break; }
      if (c !== 0x2f) break;
    }
    path = s.slice(pathStart, i);
  } else {
    path = "/";
    href = s.slice(0, i) + "/" + s.slice(i);
  }
  let query = null, fragment = null;
  if (c === 0x3f) {
    const queryStart = ++i;
    for (; i < len; i++) {
      c = s.charCodeAt(i);
      if (c >= 128 || (FAST_CHARS[c] & FAST_QUERY) === 0) break;
    }
    if (i === len) c = -1;
    query = s.slice(queryStart, i);
  }
  if (c === 0x23) {
    const fragmentStart = ++i;
    for (; i < len; i++) {
      c = s.charCodeAt(i);
      if (c >= 128 || (FAST_CHARS[c] & FAST_FRAGMENT) === 0) break;
    }
    if (i === len) c = -1;
    fragment = s.slice(fragmentStart, i);
  }
  if (c !== -1) return null;
  return new UrlRecord(scheme, true, "", "", s.slice(hostStart, hostEnd), port, path, false, query, fragment, href);
}

// ---- the basic URL parser ----------------------------------------------------------------
// States carry a U_ prefix: every built-in file shares one scope, where HOST or PATH could clash.
const U_EOF = -1;
const U_SCHEME_START = 1, U_SCHEME = 2, U_NO_SCHEME = 3, U_SPECIAL_RELATIVE_OR_AUTHORITY = 4, U_PATH_OR_AUTHORITY = 5,
  U_RELATIVE = 6, U_RELATIVE_SLASH = 7, U_SPECIAL_AUTHORITY_SLASHES = 8, U_SPECIAL_AUTHORITY_IGNORE_SLASHES = 9,
  U_AUTHORITY = 10, U_HOST = 11, U_HOSTNAME = 12, U_PORT = 13, U_FILE = 14, U_FILE_SLASH = 15, U_FILE_HOST = 16,
  U_PATH_START = 17, U_PATH = 18, U_OPAQUE_PATH = 19, U_QUERY = 20, U_FRAGMENT = 21;

const TAB_OR_NEWLINE = /[\t\n\r]/;
const TAB_OR_NEWLINE_ALL = /[\t\n\r]/g;

function isAsciiAlpha(c) {
  c |= 0x20;
  return c >= 0x61 && c <= 0x7a;
}

function isSchemeChar(c) {
  return isAsciiAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

function isWindowsDriveLetter(s) {
  if (s.length !== 2 || !isAsciiAlpha(s.charCodeAt(0))) return false;
  const c = s.charCodeAt(1);
  return c === 0x3a || c === 0x7c;
}

function isNormalizedWindowsDriveLetter(s) {
  return s.length === 2 && isAsciiAlpha(s.charCodeAt(0)) && s.charCodeAt(1) === 0x3a;
}

function startsWithWindowsDriveLetter(s, p) {
  if (s.length - p < 2 || !isAsciiAlpha(s.charCodeAt(p))) return false;
  const c = s.charCodeAt(p + 1);
  if (c !== 0x3a && c !== 0x7c) return false;
  if (s.length - p === 2) return true;
  const d = s.charCodeAt(p + 2);
  return d === 0x2f || d === 0x5c || d === 0x3f || d === 0x23;
}

function splitPath(path) {
  return path === "" ? [] : path.slice(1).split("/");
}

function serializePath(segments) {
  return segments.length === 0 ? "" : "/" + ArrayPrototypeJoin(segments, "/");
}

function shortenPath(url, segments) {
  if (url.scheme === "file" && segments.length === 1 && isNormalizedWindowsDriveLetter(segments[0])) return;
  segments.pop();
}

/** 0, or 1 for a single-dot segment, or 2 for a double-dot segment. */
function dotSegment(b) {
  const n = b.length;
  if (n === 0 || n > 6) return 0;
  const c = b.charCodeAt(0);
  if (c !== 0x2e && c !== 0x25) return 0;
  const s = n > 2 ? b.toLowerCase() : b;
  if (s === "." || s === "%2e") return 1;
  if (s === ".." || s === ".%2e" || s === "%2e." || s === "%2e%2e") return 2;
  return 0;
}

function parseURL(input, base) {
  return fastParse(input) ?? basicParse(input, base, null, 0);
}

/**
 * The basic URL parser. With `url` and `override` it edits that record for a setter and
 * returns it (or null on failure, after which the record may be partly updated, as the
 * Standard specifies). Without them it returns a new record or null.
 */
function basicParse(input, base, url, override) {
  if (url === null) {
    let start = 0, end = input.length;
    while (start < end && input.charCodeAt(start) <= 0x20) start++;
    while (end > start && input.charCodeAt(end - 1) <= 0x20) end--;
    if (start > 0 || end < input.length) input = input.slice(start, end);
    url = emptyRecord();
  }
  if (TAB_OR_NEWLINE.test(input)) input = input.replace(TAB_OR_NEWLINE_ALL, "");
  const len = input.length;
  let state = override === 0 ? U_SCHEME_START : override;
  let p = 0;
  // The path as a list, while this parse edits it; written back serialized at the end.
  let segs = override === 0 || override === U_PATH_START ? [] : null;

  loop: for (;;) {
    const c = p < len ? input.charCodeAt(p) : U_EOF;
    switch (state) {
      case U_SCHEME_START:
        if (isAsciiAlpha(c)) { state = U_SCHEME; continue; }
        if (override === 0) { state = U_NO_SCHEME; continue; }
        return null;

      case U_SCHEME: {
        let q = p;
        while (q < len && isSchemeChar(input.charCodeAt(q))) q++;
        if (q < len && input.charCodeAt(q) === 0x3a) {
          const scheme = input.slice(p, q).toLowerCase();
          const special = isSpecialScheme(scheme);
          if (override !== 0) {
            if (url.special !== special) return url;
            if ((url.username !== "" || url.password !== "" || url.port !== null) && scheme === "file") return url;
            if (url.scheme === "file" && url.host === "") return url;
          }
          url.scheme = scheme;
          url.special = special;
          if (override !== 0) {
            if (url.port !== null && url.port === defaultPort(scheme)) url.port = null;
            return url;
          }
          p = q + 1;
          if (scheme === "file") state = U_FILE;
          else if (special && base !== null && base.scheme === scheme) state = U_SPECIAL_RELATIVE_OR_AUTHORITY;
          else if (special) state = U_SPECIAL_AUTHORITY_SLASHES;
          else if (p < len && input.charCodeAt(p) === 0x2f) { state = U_PATH_OR_AUTHORITY; p++; }
          else { url.opaque = true; url.path = ""; state = U_OPAQUE_PATH; }
          continue;
        }
        if (override === 0) { state = U_NO_SCHEME; p = 0; continue; }
        return null;
      }

      case U_NO_SCHEME:
        if (base === null || (base.opaque && c !== 0x23)) return null;
        if (base.opaque) {
          url.scheme = base.scheme;
          url.special = base.special;
          url.opaque = true;
          url.path = base.path;
          url.query = base.query;
          url.fragment = "";
          state = U_FRAGMENT;
          p++;
          continue;
        }
        state = base.scheme !== "file" ? U_RELATIVE : U_FILE;
        continue;

      case U_SPECIAL_RELATIVE_OR_AUTHORITY:
        if (c === 0x2f && input.charCodeAt(p + 1) === 0x2f) { state = U_SPECIAL_AUTHORITY_IGNORE_SLASHES; p += 2; }
        else state = U_RELATIVE;
        continue;

      case U_PATH_OR_AUTHORITY:
        if (c === 0x2f) { state = U_AUTHORITY; p++; } else state = U_PATH;
        continue;

      case U_RELATIVE:
        url.scheme = base.scheme;
        url.special = base.special;
        if (c === 0x2f || (url.special && c === 0x5c)) { state = U_RELATIVE_SLASH; p++; continue; }
        url.username = base.username;
        url.password = base.password;
        url.host = base.host;
        url.port = base.port;
        segs = splitPath(base.path);
        url.query = base.query;
        if (c === 0x3f) { url.query = ""; state = U_QUERY; p++; continue; }
        if (c === 0x23) { url.fragment = ""; state = U_FRAGMENT; p++; continue; }
        if (c !== U_EOF) { url.query = null; shortenPath(url, segs); state = U_PATH; continue; }
        break loop;

      case U_RELATIVE_SLASH:
        if (url.special && (c === 0x2f || c === 0x5c)) { state = U_SPECIAL_AUTHORITY_IGNORE_SLASHES; p++; continue; }
        if (c === 0x2f) { state = U_AUTHORITY; p++; continue; }
        url.username = base.username;
        url.password = base.password;
        url.host = base.host;
        url.port = base.port;
        state = U_PATH;
        continue;

      case U_SPECIAL_AUTHORITY_SLASHES:
        if (c === 0x2f && input.charCodeAt(p + 1) === 0x2f) p += 2;
        state = U_SPECIAL_AUTHORITY_IGNORE_SLASHES;
        continue;

      case U_SPECIAL_AUTHORITY_IGNORE_SLASHES:
        while (p < len) {
          const d = input.charCodeAt(p);
          if (d !== 0x2f && d !== 0x5c) break;
          p++;
        }
        state = U_AUTHORITY;
        continue;

      case U_AUTHORITY: {
        // The userinfo ends at the last "@" before the host's end; its "@"s and any ":"
        // after the first are percent-encoded, which is what the Standard's buffer does.
        let t = p;
        while (t < len) {
          const d = input.charCodeAt(t);
          if (d === 0x2f || d === 0x3f || d === 0x23 || (url.special && d === 0x5c)) break;
          t++;
        }
        const at = t > p ? input.lastIndexOf("@", t - 1) : -1;
        if (at >= p) {
          if (at + 1 === t) return null;
          const colon = input.indexOf(":", p);
          if (colon !== -1 && colon < at) {
            url.username = percentEncode(input.slice(p, colon), USERINFO_SET);
            url.password = percentEncode(input.slice(colon + 1, at), USERINFO_SET);
          } else {
            url.username = percentEncode(input.slice(p, at), USERINFO_SET);
          }
          p = at + 1;
        }
        state = U_HOST;
        continue;
      }

      case U_HOST:
      case U_HOSTNAME: {
        if (override !== 0 && url.scheme === "file") { state = U_FILE_HOST; continue; }
        let q = p, inBrackets = false, d = U_EOF;
        for (; q < len; q++) {
          d = input.charCodeAt(q);
          if (d === 0x3a && !inBrackets) break;
          if (d === 0x2f || d === 0x3f || d === 0x23 || (url.special && d === 0x5c)) break;
          if (d === 0x5b) inBrackets = true;
          else if (d === 0x5d) inBrackets = false;
        }
        if (q === len) d = U_EOF;
        const buffer = input.slice(p, q);
        if (d === 0x3a) {
          if (buffer === "") return null;
          if (override === U_HOSTNAME) return null;
          const host = parseHost(buffer, !url.special);
          if (host === null) return null;
          url.host = host;
          state = U_PORT;
          p = q + 1;
          continue;
        }
        if (url.special && buffer === "") return null;
        if (override !== 0 && buffer === "" && (url.username !== "" || url.password !== "" || url.port !== null)) return null;
        const host = parseHost(buffer, !url.special);
        if (host === null) return null;
        url.host = host;
        if (override !== 0) return url;
        state = U_PATH_START;
        p = q;
        continue;
      }

      case U_PORT: {
        let q = p, n = 0;
        while (q < len) {
          const d = input.charCodeAt(q) - 0x30;
          if (d < 0 || d > 9) break;
          n = n * 10 + d;
          q++;
        }
        const d = q < len ? input.charCodeAt(q) : U_EOF;
        if (d === U_EOF || d === 0x2f || d === 0x3f || d === 0x23 || (url.special && d === 0x5c) || override !== 0) {
          if (q > p) {
            if (n > 65535) return null;
            url.port = n === defaultPort(url.scheme) ? null : n;
          }
          if (override !== 0) return url;
          state = U_PATH_START;
          p = q;
          continue;
        }
        return null;
      }

      case U_FILE:
        url.scheme = "file";
        url.special = true;
        url.host = "";
        if (c === 0x2f || c === 0x5c) { state = U_FILE_SLASH; p++; continue; }
        if (base !== null && base.scheme === "file") {
          url.host = base.host;
          segs = splitPath(base.path);
          url.query = base.query;
          if (c === 0x3f) { url.query = ""; state = U_QUERY; p++; continue; }
          if (c === 0x23) { url.fragment = ""; state = U_FRAGMENT; p++; continue; }
          if (c === U_EOF) break loop;
          url.query = null;
          if (!startsWithWindowsDriveLetter(input, p)) shortenPath(url, segs);
          else segs = [];
        }
        state = U_PATH;
        continue;

      case U_FILE_SLASH:
        if (c === 0x2f || c === 0x5c) { state = U_FILE_HOST; p++; continue; }
        if (base !== null && base.scheme === "file") {
          url.host = base.host;
          if (!startsWithWindowsDriveLetter(input, p)) {
            const first = splitPath(base.path)[0];
            if (first !== undefined && isNormalizedWindowsDriveLetter(first)) ArrayPrototypePush(segs, first);
          }
        }
        state = U_PATH;
        continue;

      case U_FILE_HOST: {
        let q = p;
        while (q < len) {
          const d = input.charCodeAt(q);
          if (d === 0x2f || d === 0x5c || d === 0x3f || d === 0x23) break;
          q++;
        }
        const buffer = input.slice(p, q);
        // A drive letter is not a host: the path state reads it again from here.
        if (override === 0 && isWindowsDriveLetter(buffer)) { state = U_PATH; continue; }
        if (buffer === "") {
          url.host = "";
        } else {
          let host = parseHost(buffer, false);
          if (host === null) return null;
          if (host === "localhost") host = "";
          url.host = host;
        }
        if (override !== 0) return url;
        state = U_PATH_START;
        p = q;
        continue;
      }

      case U_PATH_START:
        if (url.special) {
          state = U_PATH;
          if (c === 0x2f || c === 0x5c) p++;
          continue;
        }
        if (override === 0 && c === 0x3f) { url.query = ""; state = U_QUERY; p++; continue; }
        if (override === 0 && c === 0x23) { url.fragment = ""; state = U_FRAGMENT; p++; continue; }
        if (c !== U_EOF) {
          state = U_PATH;
          if (c === 0x2f) p++;
          continue;
        }
        if (override !== 0 && url.host === null) ArrayPrototypePush(segs, "");
        break loop;

      case U_PATH: {
        let q = p, d = U_EOF;
        for (; q < len; q++) {
          d = input.charCodeAt(q);
          if (d === 0x2f || (url.special && d === 0x5c) || (override === 0 && (d === 0x3f || d === 0x23))) break;
        }
        if (q === len) d = U_EOF;
        let buffer = percentEncode(input.slice(p, q), PATH_SET);
        const slash = d === 0x2f || (url.special && d === 0x5c);
        const dots = dotSegment(buffer);
        if (dots === 2) {
          shortenPath(url, segs);
          if (!slash) ArrayPrototypePush(segs, "");
        } else if (dots === 1) {
          if (!slash) ArrayPrototypePush(segs, "");
        } else {
          if (url.scheme === "file" && segs.length === 0 && isWindowsDriveLetter(buffer)) buffer = buffer[0] + ":";
          ArrayPrototypePush(segs, buffer);
        }
        if (d === U_EOF) break loop;
        p = q + 1;
        if (d === 0x3f) { url.query = ""; state = U_QUERY; }
        else if (d === 0x23) { url.fragment = ""; state = U_FRAGMENT; }
        continue;
      }

      case U_OPAQUE_PATH: {
        let q = p;
        while (q < len) {
          const d = input.charCodeAt(q);
          if (d === 0x3f || d === 0x23) break;
          q++;
        }
        let part = percentEncode(input.slice(p, q), C0_CONTROL_SET);
        // A space right before "?" or "#" is encoded so that it survives their removal.
        if (q < len && part.charCodeAt(part.length - 1) === 0x20) part = part.slice(0, -1) + "%20";
        url.path += part;
        if (q === len) break loop;
        p = q + 1;
        if (input.charCodeAt(q) === 0x3f) { url.query = ""; state = U_QUERY; }
        else { url.fragment = ""; state = U_FRAGMENT; }
        continue;
      }

      case U_QUERY: {
        let q = override === 0 ? input.indexOf("#", p) : -1;
        if (q === -1) q = len;
        url.query += percentEncode(input.slice(p, q), url.special ? SPECIAL_QUERY_SET : QUERY_SET);
        if (q === len) break loop;
        url.fragment = "";
        state = U_FRAGMENT;
        p = q + 1;
        continue;
      }

      case U_FRAGMENT:
        url.fragment += percentEncode(input.slice(p), FRAGMENT_SET);
        break loop;
    }
  }
  if (segs !== null && !url.opaque) url.path = serializePath(segs);
  return url;
}

// ---- URL ---------------------------------------------------------------------------------
/** Web IDL's USVString conversion; unlike String(), a template literal throws on a Symbol, as workerd does. */
function usv(value) {
  return (typeof value === "string" ? value : `${value}`).toWellFormed();
}

const INVALID_URL = "Invalid URL string.";

function urlRecord(u) {
  const r = u?.[kState];
  if (!(r instanceof UrlRecord)) throw illegalInvocation();
  return r;
}

/** Parses url against an optional base; null on failure. */
function parseWithBase(url, base) {
  url = usv(url);
  let baseRecord = null;
  if (base !== undefined) {
    baseRecord = parseURL(usv(base), null);
    if (baseRecord === null) return null;
  }
  return parseURL(url, baseRecord);
}

function missingArgument(where, n, type = "USVString") {
  return new TypeError(`Failed to ${where}: ${where.startsWith("construct") ? "constructor " : ""}parameter ${n} is not of type '${type}'.`);
}

function cannotHaveCredentialsOrPort(r) {
  return r.host === null || r.host === "" || r.scheme === "file";
}

/** After the URL's query changed, its URLSearchParams (if any) follows. */
function queryChanged(r) {
  r.href = null;
  if (r.params !== null) r.params[kState].list = r.query === null ? [] : parseFormUrlencoded(r.query);
}

class URL {
  constructor(url = undefined, base = undefined) {
    if (arguments.length < 1) throw missingArgument("construct 'URL'", 1);
    const r = parseWithBase(url, base);
    if (r === null) throw new TypeError(INVALID_URL);
    this[kState] = r;
  }

  static canParse(url = undefined, base = undefined) {
    if (arguments.length < 1) throw missingArgument("execute 'canParse' on 'URL'", 1);
    return parseWithBase(url, base) !== null;
  }

  static parse(url = undefined, base = undefined) {
    if (arguments.length < 1) throw missingArgument("execute 'parse' on 'URL'", 1);
    const r = parseWithBase(url, base);
    if (r === null) return null;
    const u = Object.create(URL.prototype);
    u[kState] = r;
    return u;
  }

  // workerd has both but implements neither: Workers have no blob URL store.
  static createObjectURL(object = undefined) {
    if (typeof Blob !== "function" || !(object instanceof Blob)) {
      throw missingArgument("execute 'createObjectURL' on 'URL'", 1, "File or Blob");
    }
    throw new Error("URL.createObjectURL() is not implemented");
  }

  static revokeObjectURL(url = undefined) {
    if (arguments.length < 1) throw missingArgument("execute 'revokeObjectURL' on 'URL'", 1);
    throw new Error("URL.revokeObjectURL() is not implemented");
  }

  get origin() { return originOf(urlRecord(this)); }

  get href() { return hrefOf(urlRecord(this)); }
  set href(value) {
    const r = urlRecord(this);
    const parsed = parseURL(usv(value), null);
    if (parsed === null) {
      throw new TypeError("Failed to set the 'href' property on 'URL': the provided value is not of type 'valid URL string'.");
    }
    r.scheme = parsed.scheme;
    r.special = parsed.special;
    r.username = parsed.username;
    r.password = parsed.password;
    r.host = parsed.host;
    r.port = parsed.port;
    r.path = parsed.path;
    r.opaque = parsed.opaque;
    r.query = parsed.query;
    r.fragment = parsed.fragment;
    queryChanged(r);
    r.href = parsed.href;
  }

  get protocol() { return urlRecord(this).scheme + ":"; }
  set protocol(value) {
    const r = urlRecord(this);
    basicParse(usv(value) + ":", null, r, U_SCHEME_START);
    r.href = null;
  }

  get username() { return urlRecord(this).username; }
  set username(value) {
    const r = urlRecord(this);
    value = usv(value);
    if (cannotHaveCredentialsOrPort(r)) return;
    r.username = percentEncode(value, USERINFO_SET);
    r.href = null;
  }

  get password() { return urlRecord(this).password; }
  set password(value) {
    const r = urlRecord(this);
    value = usv(value);
    if (cannotHaveCredentialsOrPort(r)) return;
    r.password = percentEncode(value, USERINFO_SET);
    r.href = null;
  }

  get host() {
    const r = urlRecord(this);
    if (r.host === null) return "";
    return r.port === null ? r.host : r.host + ":" + r.port;
  }
  set host(value) {
    const r = urlRecord(this);
    value = usv(value);
    if (r.opaque) return;
    basicParse(value, null, r, U_HOST);
    r.href = null;
  }

  get hostname() { return urlRecord(this).host ?? ""; }
  set hostname(value) {
    const r = urlRecord(this);
    value = usv(value);
    if (r.opaque) return;
    basicParse(value, null, r, U_HOSTNAME);
    r.href = null;
  }

  get port() {
    const port = urlRecord(this).port;
    return port === null ? "" : String(port);
  }
  set port(value) {
    const r = urlRecord(this);
    value = usv(value);
    if (cannotHaveCredentialsOrPort(r)) return;
    if (value === "") r.port = null;
    else basicParse(value, null, r, U_PORT);
    r.href = null;
  }

  get pathname() { return urlRecord(this).path; }
  set pathname(value) {
    const r = urlRecord(this);
    value = usv(value);
    if (r.opaque) return;
    r.path = "";
    basicParse(value, null, r, U_PATH_START);
    r.href = null;
  }

  get search() {
    const q = urlRecord(this).query;
    return q === null || q === "" ? "" : "?" + q;
  }
  set search(value) {
    const r = urlRecord(this);
    value = usv(value);
    if (value === "") {
      r.query = null;
    } else {
      r.query = "";
      basicParse(value.charCodeAt(0) === 0x3f ? value.slice(1) : value, null, r, U_QUERY);
    }
    queryChanged(r);
  }

  get hash() {
    const f = urlRecord(this).fragment;
    return f === null || f === "" ? "" : "#" + f;
  }
  set hash(value) {
    const r = urlRecord(this);
    value = usv(value);
    if (value === "") {
      r.fragment = null;
    } else {
      r.fragment = "";
      basicParse(value.charCodeAt(0) === 0x23 ? value.slice(1) : value, null, r, U_FRAGMENT);
    }
    r.href = null;
  }

  get searchParams() {
    const r = urlRecord(this);
    let params = r.params;
    if (params === null) {
      params = Object.create(URLSearchParams.prototype);
      params[kState] = new SearchParamsState(r.query === null ? [] : parseFormUrlencoded(r.query), r);
      r.params = params;
    }
    return params;
  }

  toJSON() { return hrefOf(urlRecord(this)); }
  toString() { return hrefOf(urlRecord(this)); }
}
webidlInterface(URL);
for (const name of ["canParse", "parse", "createObjectURL", "revokeObjectURL"]) {
  Object.defineProperty(URL, name, { enumerable: true });
}

// ---- application/x-www-form-urlencoded ---------------------------------------------------
/** Parses to a flat list: name, value, name, value, ... One pass; only parts holding "+" or "%" are decoded. */
function parseFormUrlencoded(s) {
  const list = [];
  const len = s.length;
  let start = 0, eq = -1, nameNeedsDecoding = false, needsDecoding = false;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? s.charCodeAt(i) : 0x26;
    if (c === 0x26) { // "&"
      if (i > start) {
        let name, value;
        if (eq === -1) {
          name = s.slice(start, i);
          if (needsDecoding) name = formDecode(name);
          value = "";
        } else {
          name = s.slice(start, eq);
          if (nameNeedsDecoding) name = formDecode(name);
          value = s.slice(eq + 1, i);
          if (needsDecoding) value = formDecode(value);
        }
        ArrayPrototypePush(list, name, value);
      }
      start = i + 1;
      eq = -1;
      nameNeedsDecoding = needsDecoding = false;
    } else if (c === 0x3d && eq === -1) { // the first "="
      eq = i;
      nameNeedsDecoding = needsDecoding;
      needsDecoding = false;
    } else if (c === 0x2b || c === 0x25) { // "+" or "%"
      needsDecoding = true;
    }
  }
  return list;
}

function formDecode(s) {
  if (s.indexOf("+") !== -1) s = s.replaceAll("+", " ");
  return percentDecodeString(s);
}

function serializeFormUrlencoded(list) {
  let out = "";
  for (let i = 0; i < list.length; i += 2) {
    if (i > 0) out += "&";
    out += percentEncode(list[i], FORM_URLENCODED_SET, true) + "=" + percentEncode(list[i + 1], FORM_URLENCODED_SET, true);
  }
  return out;
}

// ---- URLSearchParams ---------------------------------------------------------------------
class SearchParamsState {
  constructor(list, url) {
    this.list = list; // name, value, name, value, ...
    this.url = url;   // the linked URL's record, or null
  }
}

function paramsState(p) {
  const s = p?.[kState];
  if (!(s instanceof SearchParamsState)) throw illegalInvocation();
  return s;
}

/** The Standard's "update" steps: the linked URL's query follows the list. */
function paramsChanged(state) {
  const url = state.url;
  if (url === null) return;
  const query = serializeFormUrlencoded(state.list);
  url.query = query === "" ? null : query;
  url.href = null;
}

function missingParamsArgument(method, n, type = "USVString") {
  return new TypeError(`Failed to execute '${method}' on 'URLSearchParams': parameter ${n} is not of type '${type}'.`);
}

const NOT_A_SEQUENCE = "Incorrect type: the provided value is not of type 'Sequence'.";

class URLSearchParams {
  constructor(init = undefined) {
    const state = new SearchParamsState([], null);
    this[kState] = state;
    if (init === undefined) return;
    if ((typeof init === "object" && init !== null) || typeof init === "function") {
      const iterator = init[Symbol.iterator];
      if (iterator !== undefined && iterator !== null) {
        if (typeof iterator !== "function") throw new TypeError(NOT_A_SEQUENCE);
        const list = state.list;
        for (const pair of init) {
          if ((typeof pair !== "object" || pair === null) && typeof pair !== "function") throw new TypeError(NOT_A_SEQUENCE);
          if (typeof pair[Symbol.iterator] !== "function") throw new TypeError(NOT_A_SEQUENCE);
          const items = [...pair];
          if (items.length !== 2) throw new TypeError("Invalid URL search params sequence.");
          ArrayPrototypePush(list, usv(items[0]), usv(items[1]));
        }
      } else {
        // A record: keys that become equal as USVStrings keep the first position and last value.
        const record = new Map();
        const keys = withoutInternalKeys(ReflectApply(ReflectOwnKeysIntrinsic, Reflect, [init]));
        for (let ki = 0; ki < keys.length; ki++) {
          const key = keys[ki];
          if (typeof key === "symbol") continue;
          const desc = Reflect.getOwnPropertyDescriptor(init, key);
          if (desc === undefined || !desc.enumerable) continue;
          MapPrototypeSet(record, usv(key), usv(init[key]));
        }
        MapPrototypeForEach(record, (value, name) => { ArrayPrototypePush(state.list, name, value); });
      }
      return;
    }
    let s = usv(init);
    if (s.charCodeAt(0) === 0x3f) s = s.slice(1);
    state.list = parseFormUrlencoded(s);
  }

  get size() { return paramsState(this).list.length >> 1; }

  append(name, value) {
    const state = paramsState(this);
    if (arguments.length < 2) throw missingParamsArgument("append", arguments.length + 1);
    ArrayPrototypePush(state.list, usv(name), usv(value));
    paramsChanged(state);
  }

  delete(name, value = undefined) {
    const state = paramsState(this);
    if (arguments.length < 1) throw missingParamsArgument("delete", 1);
    name = usv(name);
    if (value !== undefined) value = usv(value);
    const list = state.list;
    let n = 0;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === name && (value === undefined || list[i + 1] === value)) continue;
      list[n++] = list[i];
      list[n++] = list[i + 1];
    }
    list.length = n;
    paramsChanged(state);
  }

  get(name) {
    const state = paramsState(this);
    if (arguments.length < 1) throw missingParamsArgument("get", 1);
    name = usv(name);
    const list = state.list;
    for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1];
    return null;
  }

  getAll(name) {
    const state = paramsState(this);
    if (arguments.length < 1) throw missingParamsArgument("getAll", 1);
    name = usv(name);
    const list = state.list;
    const out = [];
    for (let i = 0; i < list.length; i += 2) if (list[i] === name) ArrayPrototypePush(out, list[i + 1]);
    return out;
  }

  has(name, value = undefined) {
    const state = paramsState(this);
    if (arguments.length < 1) throw missingParamsArgument("has", 1);
    name = usv(name);
    if (value !== undefined) value = usv(value);
    const list = state.list;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === name && (value === undefined || list[i + 1] === value)) return true;
    }
    return false;
  }

  set(name, value) {
    const state = paramsState(this);
    if (arguments.length < 2) throw missingParamsArgument("set", arguments.length + 1);
    name = usv(name);
    value = usv(value);
    const list = state.list;
    let found = false, n = 0;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === name) {
        if (found) continue;
        found = true;
        list[i + 1] = value;
      }
      list[n++] = list[i];
      list[n++] = list[i + 1];
    }
    list.length = n;
    if (!found) ArrayPrototypePush(list, name, value);
    paramsChanged(state);
  }

  sort() {
    const state = paramsState(this);
    const list = state.list;
    const pairs = [];
    for (let i = 0; i < list.length; i += 2) ArrayPrototypePush(pairs, [list[i], list[i + 1]]);
    // Array.prototype.sort is stable; < on strings compares UTF-16 code units.
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let i = 0; i < pairs.length; i++) {
      list[2 * i] = pairs[i][0];
      list[2 * i + 1] = pairs[i][1];
    }
    paramsChanged(state);
  }

  entries() { return paramsIterator(paramsState(this), ENTRY_ITERATOR); }
  keys() { return paramsIterator(paramsState(this), KEY_ITERATOR); }
  values() { return paramsIterator(paramsState(this), VALUE_ITERATOR); }

  forEach(callback, thisArg = undefined) {
    const state = paramsState(this);
    if (typeof callback !== "function") throw missingParamsArgument("forEach", 1, "function");
    for (let i = 0; i < state.list.length; i += 2) {
      const list = state.list;
      callback.call(thisArg, list[i + 1], list[i], this);
    }
  }

  toString() { return serializeFormUrlencoded(paramsState(this).list); }
}
// Like workerd, Symbol.iterator is its own (non-enumerable) function giving entries.
Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
  value: function entries() { return paramsIterator(paramsState(this), ENTRY_ITERATOR); },
  writable: true, enumerable: false, configurable: true,
});
webidlInterface(URLSearchParams);

// Iterators read the live list by position, as Web IDL's pair iterators do.
const kIteratorState = internalSymbol("flint.urlSearchParamsIterator");
const ITERATOR_PROTOTYPE = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

function makeParamsIteratorPrototype(tag, kind) {
  const proto = Object.create(ITERATOR_PROTOTYPE);
  Object.defineProperty(proto, "next", {
    value: function next() {
      const it = this?.[kIteratorState];
      if (it === undefined) throw illegalInvocation();
      const list = it.state.list;
      const i = it.index;
      // Key order as workerd's iterator results have it.
      if (i >= list.length) return { done: true, value: undefined };
      it.index = i + 2;
      const value = kind === 0 ? list[i] : kind === 1 ? list[i + 1] : [list[i], list[i + 1]];
      return { done: false, value };
    },
    writable: true, enumerable: true, configurable: true,
  });
  Object.defineProperty(proto, Symbol.toStringTag, { value: tag, configurable: true });
  return proto;
}
const KEY_ITERATOR = makeParamsIteratorPrototype("KeyIterator", 0);
const VALUE_ITERATOR = makeParamsIteratorPrototype("ValueIterator", 1);
const ENTRY_ITERATOR = makeParamsIteratorPrototype("EntryIterator", 2);

function paramsIterator(state, proto) {
  const it = Object.create(proto);
  it[kIteratorState] = { state, index: 0 };
  return it;
}

defineGlobal("URL", URL);
defineGlobal("URLSearchParams", URLSearchParams);
