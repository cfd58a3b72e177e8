export const onRequestGet = ({ params }) => new Response(`post ${params.slug}`);
export const onRequestHead = () => new Response(null, { headers: { "x-head": "yes" } });
