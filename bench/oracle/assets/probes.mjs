// The requests each case is probed with (bench/oracle/assets/record.mjs records wrangler's answers to
// them; the golden test replays the same requests on Flint). A header value "$etag" is replaced by the
// ETag the same path answered a plain GET with.
const htmlPaths = [
  "/", "/index", "/index.html", "/about", "/about/", "/about.html", "/about/index", "/about/index.html",
  "/contact", "/contact/", "/contact/index", "/contact/index.html", "/contact.html",
  "/docs", "/docs/", "/docs.html", "/docs/index", "/docs/index.html",
  "/blog", "/blog/", "/blog/index.html", "/blog/post", "/blog/post/", "/blog/post.html", "/blog/post/index.html",
  "/nested/page", "/nested/missing", "/nested/deeper/missing", "/deep/er/page", "/deep/er/missing", "/deep/er/",
  "/missing", "/missing/", "/missing.html", "/404", "/404.html",
  "/style.css", "/app.js", "/data.json", "/logo.svg", "/image.png", "/font.woff2", "/file.unknownext", "/README",
  "/caf%C3%A9", "/caf%C3%A9.html", "/caf%c3%a9", "/%5Bid%5D", "/[id]", "/%5Bid%5D.html", "/a%20b.txt", "/a b.txt".replace(" ", "%20"),
  "/bin/index", "/bin/", "/bin", "/secret.txt", "/private/key.txt", "/app.js.map", "/.assetsignore", "/_headers", "/_redirects",
  "/about?x=1", "/about.html?x=1&y=2", "/blog?x=1", "//about", "/./about", "/blog/../about", "/%61bout", "/about%2Ehtml",
];

const redirectPaths = [
  "/old-about", "/moved", "/temp", "/seeother", "/perm", "/external", "/external?q=1", "/withquery", "/withquery?keep=1",
  "/rewrite-about", "/rewrite-missing", "/fragment", "/news/2024/hello", "/news/", "/shop/hats/red", "/shop/hats",
  "/catch/a/b?x=1", "/proxy/post", "/proxy/missing", "/static-after-dynamic", "/loop", "/bad-status", "/abs",
];

const headerPaths = ["/users/42/profile", "/users/42/profile/", "/blog/post", "/data.json", "/no-headers"];

const get = (path, headers) => ({ method: "GET", path, ...(headers ? { headers } : {}) });

const common = [
  ...htmlPaths.map((p) => get(p)),
  ...redirectPaths.map((p) => get(p)),
  ...headerPaths.map((p) => get(p)),
  get("/about", { host: "a.example.com" }),
  get("/about", { "if-none-match": "$etag" }),
  get("/about", { "if-none-match": "W/$etag" }),
  get("/about", { "if-none-match": "\"0123\"" }),
  get("/blog/", { "if-none-match": "$etag" }),
  get("/about", { authorization: "Bearer x" }),
  get("/about", { "accept-encoding": "gzip" }),
  get("/about", { "accept-encoding": "br" }),
  get("/about", { "accept-encoding": "gzip;q=0.5, br" }),
  get("/about", { "accept-encoding": "identity" }),
  get("/about", { "accept-encoding": "identity;q=0" }),
  get("/about", { "accept-encoding": "*;q=0" }),
  get("/about", { "accept-encoding": "deflate" }),
  get("/image.png", { "accept-encoding": "gzip" }),
  get("/file.unknownext", { "accept-encoding": "gzip" }),
  get("/style.css", { "accept-encoding": "br, gzip" }),
  { method: "HEAD", path: "/about" },
  { method: "HEAD", path: "/missing" },
  { method: "POST", path: "/about" },
  { method: "PUT", path: "/style.css" },
  { method: "POST", path: "/missing" },
  { method: "POST", path: "/old-about" },
  { method: "DELETE", path: "/blog" },
  { method: "OPTIONS", path: "/" },
  get("/missing", { "sec-fetch-mode": "navigate" }),
  get("/nested/missing", { "sec-fetch-mode": "navigate" }),
];

const binding = [
  get("/api/x"), get("/api/x", { "sec-fetch-mode": "navigate" }), { method: "POST", path: "/api/x" },
  get("/via-binding/about"), get("/via-binding/about.html"), get("/via-binding/missing"), get("/via-binding/old-about"),
  get("/via-binding/blog"), { method: "HEAD", path: "/via-binding/about" }, get("/via-binding/about", { "if-none-match": "$etag" }),
  get("/binding-string"), get("/binding-follows"), get("/binding-rewrite"), get("/binding-shape"),
];

export const cases = {
  site: common,
  force: common,
  drop: common,
  none: common,
  worker: [...common, ...binding],
  first: [
    ...["/", "/about", "/blog", "/blog/", "/blog/post", "/blog/post.html", "/blog/other", "/blogx", "/data.json", "/missing", "/style.css", "/api/x"].map((p) => get(p)),
    get("/missing", { "sec-fetch-mode": "navigate" }), { method: "POST", path: "/blog/post" }, { method: "POST", path: "/about" },
    ...binding,
  ],
  "first-all": [
    ...["/", "/about", "/about.html", "/missing", "/style.css"].map((p) => get(p)),
    get("/missing", { "sec-fetch-mode": "navigate" }),
    ...binding,
  ],
};
