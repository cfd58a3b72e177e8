export const onRequest = ({ passThroughOnException }) => {
  passThroughOnException();
  throw new Error("falls back to the assets");
};
