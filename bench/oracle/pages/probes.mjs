// The requests each Pages case is probed with (record.mjs records wrangler pages dev's answers; the
// golden test replays them on flint pages dev). "$etag": the ETag a plain GET of the path answered.
const get = (path, headers) => ({ method: "GET", path, ...(headers ? { headers } : {}) });

const assetPaths = [
  "/", "/index", "/index.html", "/about", "/about/", "/about.html", "/docs", "/docs/", "/docs/index.html", "/docs/index",
  "/missing", "/missing/", "/nested/page", "/nested/missing", "/nested/deep/missing", "/style.css", "/app.js", "/data.json",
  "/file.unknownext", "/_routes.json", "/about?q=1", "/about.html?q=1", "/%61bout",
];

const functionPaths = [
  "/api", "/api/", "/api/hello", "/api/users/42", "/api/users/42/extra", "/api/files", "/api/files/a", "/api/files/a/b/c",
  "/api/next", "/api/rewrite", "/api/passthrough", "/api/env", "/api/assets", "/api/data", "/api/missing", "/blog/first-post",
  "/blog/a/b", "/blog", "/about-old", "/go", "/rw",
];

const common = [
  ...assetPaths.map((p) => get(p)),
  get("/about", { "if-none-match": "$etag" }),
  get("/about", { "accept-encoding": "gzip" }),
  { method: "HEAD", path: "/about" },
  { method: "POST", path: "/about" },
];

export const cases = {
  static: [
    ...common,
    get("/_worker.js"),
    ...["/old", "/found", "/see", "/temp", "/perm", "/ext", "/ext?x=1", "/news/a/b", "/rw", "/secret.js"].map((p) => get(p)),
    get("/about", { "accept-encoding": "identity;q=0" }),
  ],
  functions: [
    ...common,
    ...functionPaths.map((p) => get(p)),
    get("/_worker.js"),
    get("/api/hello", { "accept-encoding": "gzip" }),
    get("/api/users/1", { "accept-encoding": "br" }),
    { method: "POST", path: "/api/hello", body: "hi" },
    { method: "PUT", path: "/api/hello" },
    { method: "DELETE", path: "/api/users/7" },
    { method: "HEAD", path: "/blog/x" },
  ],
  routes: [
    ...common,
    ...functionPaths.map((p) => get(p)),
  ],
  advanced: [
    ...common,
    get("/api/thing"), get("/api"),
  ],
};
