// HTMLRewriter behaviour probe: run with bench/oracle.sh bench/oracle/htmlrewriter /run
const enc = new TextEncoder();
function chunked(parts) {
  return new ReadableStream({ start(c) { for (const p of parts) c.enqueue(typeof p === "string" ? enc.encode(p) : p); c.close(); } });
}
function err(e) { return `${e?.constructor?.name}: ${String(e?.message).split("\n")[0]}`; }
// Runs one rewrite: setup(rewriter, log) registers handlers; input is a string or a list of chunks.
async function rw(input, setup, init) {
  const log = [];
  try {
    const rewriter = setup(new HTMLRewriter(), log) ?? null;
    const body = Array.isArray(input) ? chunked(input) : input;
    const res = rewriter.transform(new Response(body, init));
    const out = await res.text();
    return { out, log };
  } catch (e) {
    return { err: err(e), log };
  }
}
const el = (log, f = (e) => [e.tagName]) => ({ element(e) { log.push(f(e)); } });
const sel = (selector, html) => rw(html, (r, log) => r.on(selector, el(log, (e) => e.tagName + (e.getAttribute("id") ? "#" + e.getAttribute("id") : ""))));

export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== "/run") return new Response("ok");
    const r = {};
    r.types = [typeof HTMLRewriter, Object.prototype.toString.call(new HTMLRewriter())];
    r.chain = (() => { const h = new HTMLRewriter(); return h.on("p", {}) === h && h.onDocument({}) === h; })();
    r.transformNotResponse = await (async () => { try { new HTMLRewriter().transform("x"); return "no error"; } catch (e) { return err(e); } })();
    r.passThrough = await rw("<!DOCTYPE html><html><head><title>T</title></head><body><p class=a>Hi &amp; bye</p><!-- c --><br/></body></html>", (x) => x);
    r.headers = await (async () => { const res = new HTMLRewriter().on("p", {}).transform(new Response("<p>x</p>", { status: 201, statusText: "Made", headers: { "content-length": "8", "x-a": "1", "content-type": "text/html" } })); return [res.status, res.statusText, [...res.headers], await res.text()]; })();
    r.nullBody = await (async () => { const res = new HTMLRewriter().onDocument({ end(e) { e.append("x"); } }).transform(new Response(null)); return [res.body === null, await res.text()]; })();
    r.textChunks = await rw("<p>Hello <b>world</b>!</p><p></p>", (x, log) => x.on("p", { text(t) { log.push([t.text, t.lastInTextNode, t.removed]); } }));
    r.textChunksSplit = await rw(["<p>Hel", "lo <b>wo", "rld</b>!", "</p>"], (x, log) => x.on("p", { text(t) { log.push([t.text, t.lastInTextNode]); } }));
    r.textUtf8Split = await rw([new Uint8Array([60, 112, 62, 0xc3]), new Uint8Array([0xa9, 0xe2, 0x82]), new Uint8Array([0xac, 60, 47, 112, 62])], (x, log) => x.on("p", { text(t) { log.push([t.text, t.lastInTextNode]); } }));
    r.textEntities = await rw("<p>a &amp; b &lt; c &#39; d</p>", (x, log) => x.on("p", { text(t) { log.push(t.text); } }));
    r.textMutations = await rw("<p>one</p><p>two</p><p>three</p><p>four</p>", (x) => x.on("p", { text(t) { if (t.text === "one") t.before("<b>", { html: true }); if (t.text === "two") t.after("<i>&"); if (t.text === "three") t.replace("<u>3</u>", { html: true }); if (t.text === "four") t.remove(); } }));
    r.textRemoved = await rw("<p>x</p>", (x, log) => x.on("p", { text(t) { if (t.text) { t.remove(); log.push(t.removed); } } }));
    r.element = await rw('<DIV Class="A b" ID=x data-Q=\'v\' empty bare=1>c</DIV>', (x, log) => x.on("div", { element(e) { log.push([e.tagName, e.namespaceURI, e.selfClosing, e.canHaveContent, e.removed, [...e.attributes], e.getAttribute("class"), e.getAttribute("CLASS"), e.getAttribute("nope"), e.hasAttribute("empty"), e.hasAttribute("nope"), e.getAttribute("empty")]); } }));
    r.attributesIterator = await rw('<a x=1 y=2>', (x, log) => x.on("a", { element(e) { const it = e.attributes; log.push([typeof it.next, Object.prototype.toString.call(it), typeof it[Symbol.iterator]]); } }));
    r.setAttribute = await rw(`<a href='x' data-q="a&quot;b" bare=1 flag>t</a>`, (x) => x.on("a", { element(e) { e.setAttribute("href", 'n"ew<&>'); e.setAttribute("added", "v"); e.setAttribute("FLAG", "on"); } }));
    r.removeAttribute = await rw(`<a href='x' b=2  c="3">t</a>`, (x) => x.on("a", { element(e) { e.removeAttribute("b"); e.removeAttribute("missing"); } }));
    r.setAttributeBadName = await rw(`<a>t</a>`, (x, log) => x.on("a", { element(e) { try { e.setAttribute("a b", "1"); } catch (ex) { log.push(err(ex)); } try { e.setAttribute("", "1"); } catch (ex) { log.push(err(ex)); } } }));
    r.untouchedAttrs = await rw(`<a   href = 'x'   B=2 >t</a>`, (x) => x.on("a", { element(e) { e.getAttribute("href"); } }));
    r.tagName = await rw("<div a=1>x<span>y</span></div><p>z</p>", (x) => x.on("div", { element(e) { e.tagName = "section"; } }).on("p", { element(e) { e.tagName = "H1"; } }));
    r.tagNameBad = await rw("<div>x</div>", (x, log) => x.on("div", { element(e) { try { e.tagName = "a b"; } catch (ex) { log.push(err(ex)); } } }));
    r.contentMethods = await rw("<div id=a>A</div><div id=b>B</div><div id=c>C</div><div id=d>D</div>", (x) => x.on("#a", { element(e) { e.before("<b>&'\"", { html: false }); e.after("<i>", { html: true }); } }).on("#b", { element(e) { e.prepend("<p>pre"); e.append("<p>app", { html: true }); } }).on("#c", { element(e) { e.setInnerContent("<x>in</x>", { html: true }); } }).on("#d", { element(e) { e.replace("<r>rep</r>"); } }));
    r.contentOrder = await rw("<div>X</div>", (x) => x.on("div", { element(e) { e.before("1"); e.before("2"); e.after("3"); e.after("4"); e.prepend("5"); e.prepend("6"); e.append("7"); e.append("8"); } }));
    r.remove = await rw("<div>a<p>b</p>c</div><span>d<i>e</i></span>z", (x, log) => x.on("div", { element(e) { e.remove(); log.push(e.removed); } }).on("span", { element(e) { e.removeAndKeepContent(); log.push(e.removed); } }).on("p, i", { element(e) { log.push("inner " + e.tagName); } }));
    r.removeVoid = await rw("<p>a<br>b<img src=x>c</p>", (x) => x.on("br", { element(e) { e.remove(); } }).on("img", { element(e) { e.replace("IMG"); } }));
    r.setInnerContentVoid = await rw("<br><input>", (x, log) => x.on("br", { element(e) { try { e.setInnerContent("x"); e.append("y"); log.push("ok"); } catch (ex) { log.push(err(ex)); } } }));
    r.onEndTag = await rw("<div>a</div><p>b</p>", (x, log) => x.on("div", { element(e) { e.onEndTag((end) => { log.push([end.name]); end.before("<!--b-->", { html: true }); end.after("&after"); }); } }).on("p", { element(e) { e.onEndTag((end) => { end.name = "q"; }); } }));
    r.onEndTagRemove = await rw("<div>a</div>", (x) => x.on("div", { element(e) { e.onEndTag((end) => { end.remove(); }); } }));
    r.onEndTagVoid = await rw("<br><img>", (x, log) => x.on("br", { element(e) { try { e.onEndTag(() => log.push("end")); log.push("registered"); } catch (ex) { log.push(err(ex)); } } }));
    r.onEndTagTwice = await rw("<div>a</div>", (x, log) => x.on("div", { element(e) { e.onEndTag(() => log.push("first")); e.onEndTag(() => log.push("second")); } }));
    r.onEndTagMissing = await rw("<div>a", (x, log) => x.on("div", { element(e) { e.onEndTag(() => log.push("end")); } }));
    r.onEndTagNotFunction = await rw("<div>a</div>", (x, log) => x.on("div", { element(e) { try { e.onEndTag("x"); } catch (ex) { log.push(err(ex)); } } }));
    r.comments = await rw("<!--one--><p><!-- two --></p><!--three--><!--four-->", (x, log) => x.on("p", { comments(c) { log.push([c.text, c.removed]); c.text = "changed"; } }).onDocument({ comments(c) { log.push(["doc", c.text]); if (c.text === "three") c.replace("<b>3</b>", { html: true }); if (c.text === "four") { c.before("<"); c.after(">", { html: true }); c.remove(); log.push(c.removed); } } }));
    r.doctype = await rw('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html>', (x, log) => x.onDocument({ doctype(d) { log.push([d.name, d.publicId, d.systemId]); } }));
    r.doctypeSimple = await rw("<!doctype html><p>", (x, log) => x.onDocument({ doctype(d) { log.push([d.name, d.publicId, d.systemId]); } }));
    r.doctypeRemove = await rw("<!doctype html><p>", (x, log) => x.onDocument({ doctype(d) { log.push(typeof d.remove); if (typeof d.remove === "function") d.remove(); } }));
    r.documentText = await rw("a<p>b</p>c", (x, log) => x.onDocument({ text(t) { log.push([t.text, t.lastInTextNode]); } }));
    r.documentEnd = await rw("<p>x</p>", (x, log) => x.onDocument({ end(end) { log.push(Object.prototype.toString.call(end)); end.append("<!--end-->", { html: true }); end.append("<&>"); } }));
    r.documentEndEmpty = await rw("", (x, log) => x.onDocument({ end(end) { log.push("end"); end.append("E"); } }));
    r.multipleHandlers = await rw("<p>x</p>", (x, log) => x.on("p", { element(e) { log.push("first"); e.setAttribute("a", "1"); } }).on("p", { element(e) { log.push(["second", e.getAttribute("a")]); } }).on("*", { element(e) { log.push("star " + e.tagName); } }));
    r.handlerThis = await rw("<p>x</p>", (x, log) => { class H { constructor() { this.n = "h"; } element(e) { log.push(this.n); } } return x.on("p", new H()); });
    r.asyncHandler = await rw("<p>a</p><p>b</p>", (x, log) => x.on("p", { async element(e) { await scheduler.wait(5); e.setAttribute("t", String(log.length)); log.push("done"); } }));
    r.asyncText = await rw("<p>a</p>", (x, log) => x.on("p", { async text(t) { await null; if (t.text) t.replace("B"); } }));
    r.throwing = await rw("<p>x</p>", (x) => x.on("p", { element() { throw new Error("boom"); } }));
    r.rejecting = await rw("<p>x</p>", (x) => x.on("p", { async element() { throw new RangeError("async boom"); } }));
    r.staleToken = await (async () => { let saved; const out = await rw("<p>x</p>", (x) => x.on("p", { element(e) { saved = e; } })); try { saved.getAttribute("a"); return ["no error", out]; } catch (e) { return [err(e), out]; } })();
    // selectors
    const doc = '<div id=d1 class="a b"><p id=p1 lang="en-US" data-x="Hello World">1</p><p id=p2 class=a>2</p><span id=s1>3</span><p id=p3>4</p></div><p id=p4 data-x=hello>5</p>';
    for (const s of ["*", "p", "P", ".a", "#p2", "[data-x]", "[data-x=hello]", '[data-x="HELLO" i]', "[data-x~=World]", "[data-x^=Hel]", "[data-x$=World]", "[data-x*=lo]", "[lang|=en]", "div p", "div > p", "div>p", "body p", "p:first-child", ":first-child", "p:nth-child(2)", "p:nth-child(2n+1)", "p:nth-child(odd)", "p:nth-child(even)", "p:nth-child(-n+2)", "p:first-of-type", "p:nth-of-type(2)", "p:not(.a)", "p:not([data-x])", ":not(p)", "p, span", "div#d1.a.b", "p[id][data-x]"]) {
      r["sel " + s] = await sel(s, doc);
    }
    for (const s of ["p:last-child", "p:hover", "p::before", "p + span", "p ~ span", "[", "", "p:nth-last-child(1)", "p:only-child", ":root", "p:empty", "a:is(b)", "div >", "#", "p:nth-child(x)", "*|p", "p:not(div p)"]) {
      r["bad " + s] = await (async () => { try { new HTMLRewriter().on(s, {}); return "accepted"; } catch (e) { return err(e); } })();
    }
    r.onBadHandlers = await (async () => { try { new HTMLRewriter().on("p", "x"); return "accepted"; } catch (e) { return err(e); } })();
    r.onNoArgs = await (async () => { try { new HTMLRewriter().on(); return "accepted"; } catch (e) { return err(e); } })();
    // tokenizer corners
    r.misnested = await rw("<div><p>a</div>b</p>c", (x, log) => x.on("div, p", { element(e) { e.onEndTag((end) => log.push("end " + end.name)); } }));
    r.implicitP = await rw("<p>a<p>b<div>c</div>", (x, log) => x.on("p", { element(e) { log.push("p"); e.onEndTag((end) => log.push("end " + end.name)); } }));
    r.listItems = await rw("<ul><li>a<li>b</ul>", (x, log) => x.on("li", { element(e) { e.onEndTag((end) => log.push("end " + end.name)); } }).on("ul li", { element(e) { log.push("in ul"); } }));
    r.selfClosing = await rw("<div/><br/><svg><circle/><path></path></svg>", (x, log) => x.on("*", { element(e) { log.push([e.tagName, e.selfClosing, e.canHaveContent, e.namespaceURI]); } }));
    r.svgText = await rw("<svg><text>a</text><foreignObject><p>b</p></foreignObject></svg><math><mi>x</mi></math>", (x, log) => x.on("*", { element(e) { log.push([e.tagName, e.namespaceURI]); } }));
    r.rawText = await rw("<script>if (a < b) { x = '</p>'; }</script><style>p > a { }</style><title>a <b> c</title><textarea><p>x</textarea><p>end</p>", (x, log) => x.on("script, style, title, textarea, p", { text(t) { if (t.text) log.push(t.text); } }).on("b, p", { element(e) { log.push("el " + e.tagName); } }));
    r.scriptComment = await rw("<script><!-- <script> </script> --></script><p>x</p>", (x, log) => x.on("script", { text(t) { if (t.text) log.push(t.text); } }).on("p", { element() { log.push("p"); } }).onDocument({ comments(c) { log.push("comment " + c.text); } }));
    r.plaintext = await rw("<plaintext><p>a</p></plaintext>", (x, log) => x.on("p", { element() { log.push("p"); } }).on("plaintext", { text(t) { log.push(t.text); } }));
    r.bogusComments = await rw("<!x><?php echo 1 ?></p><p>a</p><![CDATA[y]]>", (x, log) => x.onDocument({ comments(c) { log.push(c.text); }, text(t) { if (t.text) log.push("text " + t.text); } }));
    r.cdataSvg = await rw("<svg><![CDATA[a<b]]></svg>", (x, log) => x.onDocument({ comments(c) { log.push("c " + c.text); }, text(t) { if (t.text) log.push("t " + t.text); } }));
    r.endTagBr = await rw("<p>a</br>b</p>", (x, log) => x.on("br", { element(e) { log.push("br"); } }));
    r.attrsWeird = await rw(`<p a="1"a=2 b='x'c d=e"f g=<h>x</p>`, (x, log) => x.on("p", { element(e) { log.push([...e.attributes]); } }));
    r.dupAttrs = await rw(`<p a=1 a=2 A=3>x</p>`, (x, log) => x.on("p", { element(e) { log.push([...e.attributes]); e.setAttribute("a", "9"); } }));
    r.upperEnd = await rw("<DIV>x</Div>", (x, log) => x.on("div", { element(e) { e.onEndTag((end) => log.push(end.name)); } }));
    r.unclosedAtEnd = await rw("<p>abc", (x, log) => x.on("p", { text(t) { log.push([t.text, t.lastInTextNode]); } }));
    r.ltInText = await rw("<p>a < b <3 </ c</p>", (x, log) => x.on("p", { text(t) { log.push(t.text); } }));
    r.charset = await rw(new Uint8Array([60, 112, 62, 0xe9, 60, 47, 112, 62]), (x, log) => x.on("p", { text(t) { log.push(t.text); }, element(e) { e.append("é"); } }), { headers: { "content-type": "text/html; charset=windows-1252" } });
    r.invalidUtf8 = await rw(new Uint8Array([60, 112, 62, 0xff, 0x41, 60, 47, 112, 62]), (x, log) => x.on("p", { text(t) { log.push(t.text); } }));
    // The same document cut into chunks of every size: tokens and text split across chunks.
    const page = '<!DOCTYPE html><html><head><title>A &amp; B</title><script>var s = "<p>" + 1 < 2; // <!-- x --></script>' +
      '<style>a > b { color: red }</style></head><body class="main page"><!-- top --><div id="x" data-v=\'1\'>Hello, ' +
      '<b>wörld</b> <a href="/a?x=1&amp;y=2">link</a><img src=/i.png alt="é"><br/></div><svg><circle r="1"/><![CDATA[c<d]]></svg>' +
      '<p>one<p>two</p><ul><li>a<li>b</ul><textarea><b>t</b></textarea><!--end--></body></html>';
    const bytes = enc.encode(page);
    const setupAll = (x, log) => x
      .on("a[href]", { element(e) { log.push("a " + e.getAttribute("href")); e.setAttribute("href", "https://x" + e.getAttribute("href")); } })
      .on("div#x", { element(e) { e.prepend("[", { html: true }); e.append("]"); e.onEndTag((end) => log.push("end " + end.name)); }, text(t) { log.push(["div", t.text, t.lastInTextNode]); } })
      .on("img", { element(e) { e.removeAttribute("alt"); } })
      .on("title, textarea, script", { text(t) { log.push(["raw", t.text, t.lastInTextNode]); } })
      .on("li", { element(e) { e.setInnerContent("<i>li</i>", { html: true }); } })
      .on("body > p:nth-of-type(2)", { element(e) { e.tagName = "section"; } })
      .onDocument({ comments(c) { log.push("comment " + c.text); }, doctype(d) { log.push("doctype " + d.name); }, end(e) { e.append("<!--done-->", { html: true }); } });
    for (const size of [1, 2, 3, 5, 8, 13, 64, 4096]) {
      const parts = [];
      for (let i = 0; i < bytes.length; i += size) parts.push(bytes.slice(i, i + size));
      r["chunks " + size] = await rw(parts, setupAll);
    }
    r.passThroughChunks = await (async () => { const parts = []; for (let i = 0; i < bytes.length; i += 3) parts.push(bytes.slice(i, i + 3)); const out = await rw(parts, (x) => x.on("zzz", {})); return out.out === page; })();
    return Response.json(r);
  },
};
