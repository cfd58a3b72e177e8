import Stream from "node:stream";
const promises = Stream.promises;
export const { pipeline, finished } = promises;
export default promises;
