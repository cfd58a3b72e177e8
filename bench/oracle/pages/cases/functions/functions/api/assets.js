export const onRequest = async ({ env, request }) => {
  const r = await env.ASSETS.fetch(new URL("/about", request.url));
  return new Response(`${r.status} ${r.headers.get("content-type")} ${(await r.text()).trim()}`);
};
