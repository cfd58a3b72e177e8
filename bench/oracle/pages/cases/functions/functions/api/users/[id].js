export const onRequest = ({ params, functionPath, request }) => Response.json({ id: params.id, functionPath, method: request.method });
