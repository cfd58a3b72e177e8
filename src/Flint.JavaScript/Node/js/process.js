// node:process — the process object (85_node.js); also the `process` global with nodejs_compat_v2.
import bridge from "node-internal:bridge";

const process = bridge.process();
export default process;
export const {
  version, versions, platform, arch, pid, ppid, title, argv, argv0, execArgv, execPath, release, features, env,
  nextTick, cwd, chdir, umask, getuid, getgid, geteuid, getegid, getgroups, hrtime, uptime, memoryUsage, cpuUsage,
  resourceUsage, emitWarning, exit, abort, kill, getBuiltinModule, binding, stdout, stderr,
} = process;
export const on = process.on.bind(process);
export const once = process.once.bind(process);
export const off = process.off.bind(process);
export const emit = process.emit.bind(process);
