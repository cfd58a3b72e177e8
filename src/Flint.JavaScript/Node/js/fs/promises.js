// node:fs/promises — node:fs's promise API.
import { promises } from "node:fs";
export const {
  access, appendFile, chmod, chown, copyFile, cp, lchmod, lchown, lutimes, link, lstat, mkdir, mkdtemp, open, opendir, readdir,
  readFile, readlink, realpath, rename, rmdir, rm, stat, statfs, symlink, truncate, unlink, utimes, writeFile, glob, watch,
  constants, FileHandle,
} = promises;
export default promises;
