export const onRequest = ({ params, functionPath }) => Response.json({ path: params.path ?? null, functionPath });
