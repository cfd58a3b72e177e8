export const onRequest = ({ env }) => Response.json({ CF_PAGES: env.CF_PAGES, assets: typeof env.ASSETS?.fetch, keys: Object.keys(env).filter((k) => !k.startsWith("CF_PAGES_")).sort() });
