// Rewrites a 1 MiB page of articles as it streams: the kind of work a Worker does in front of a
// site (absolute links, lazy images, ads removed, title and description set). 2,077 articles:
// 4,364 elements rewritten per page (internal links, images, ads, title, description).
const LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.";
function makePage(size) {
  let s = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Bench</title><meta name="description" content="old"></head><body><main>\n';
  for (let i = 0; s.length < size; i++) {
    s += `<article class="post" id="p${i}"><h2><a href="/post/${i}">Post number ${i}</a></h2>` +
      `<p>${LOREM} <a href="https://elsewhere.example/${i}">more</a> ${LOREM.slice(0, 120)}</p>` +
      `<img src="/img/${i}.jpg" alt="Image ${i}">` + (i % 10 === 0 ? '<div class="ad">Buy now!</div>' : "") + "</article>\n";
  }
  return s + "</main></body></html>\n";
}
const PAGE = new TextEncoder().encode(makePage(1024 * 1024));
const CHUNK = 64 * 1024;

export default {
  fetch() {
    let offset = 0;
    const page = new ReadableStream({
      pull(controller) {
        if (offset >= PAGE.length) return controller.close();
        controller.enqueue(PAGE.slice(offset, offset + CHUNK));
        offset += CHUNK;
      },
    }, { highWaterMark: 0 });
    return new HTMLRewriter()
      .on('a[href^="/"]', { element(e) { e.setAttribute("href", "https://bench.example" + e.getAttribute("href")); } })
      .on("img", { element(e) { e.setAttribute("loading", "lazy"); } })
      .on("div.ad", { element(e) { e.remove(); } })
      .on("title", { element(e) { e.setInnerContent("Rewritten"); } })
      .on('meta[name="description"]', { element(e) { e.setAttribute("content", "A rewritten page"); } })
      .transform(new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } }));
  },
};
