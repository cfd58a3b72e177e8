export function onRequestGet({ functionPath }) {
  return new Response(`hello GET at ${functionPath}`);
}
export async function onRequestPost({ request }) {
  return new Response(`hello POST ${await request.text()}`);
}
