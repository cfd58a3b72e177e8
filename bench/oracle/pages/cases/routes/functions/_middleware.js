const first = async (context) => {
  context.data.order = ["root-1"];
  const response = await context.next();
  response.headers.set("x-root-mw", context.data.order.join(","));
  return response;
};
const second = async (context) => {
  context.data.order.push("root-2");
  return context.next();
};
export const onRequest = [first, second];
