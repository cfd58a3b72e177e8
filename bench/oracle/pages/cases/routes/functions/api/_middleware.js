export async function onRequest({ data, next, functionPath }) {
  data.order.push(`api-mw:${functionPath}`);
  const response = await next();
  response.headers.set("x-api-mw", "1");
  return response;
}
