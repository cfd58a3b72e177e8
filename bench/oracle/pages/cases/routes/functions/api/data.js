export const onRequest = (context) => {
  context.data = { ...context.data, replaced: true };
  let error = null;
  try { context.data = 5; } catch (e) { error = e.message; }
  return Response.json({ data: context.data, error });
};
