export const onRequestGet = ({ functionPath, params, data, request }) =>
  Response.json({ route: "api index", functionPath, params, order: data.order, url: new URL(request.url).pathname });
