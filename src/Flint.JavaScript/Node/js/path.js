// node:path — Node's path module, POSIX flavour (npm `path-browserify`, Node's lib/path.js); win32
// is the POSIX one too, as in workerd.
import posix from "node-internal:vendor/path";

const path = { ...posix, posix, win32: posix };
path.posix = path;
export default path;
export const {
  resolve, normalize, isAbsolute, join, relative, toNamespacedPath, dirname, basename, extname, format, parse, sep, delimiter,
} = path;
export const win32 = path;
export { path as posix };
