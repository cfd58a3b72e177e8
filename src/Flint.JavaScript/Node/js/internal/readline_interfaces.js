// The no-op readline interfaces workerd gives (node:readline and node:readline/promises): a Worker has no
// terminal, so prompts answer "" and iteration yields one empty line.
import { EventEmitter } from "node:events";

class InterfaceBase extends EventEmitter {
  terminal = false;
  line = "";
  cursor = 0;
  getPrompt() { return ""; }
  setPrompt() {}
  prompt() {}
  pause() { return this; }
  resume() { return this; }
  close() {}
  write() {}
  getCursorPos() { return { rows: 0, cols: 0 }; }
  [Symbol.dispose]() { this.close(); }
  async [Symbol.asyncDispose]() { this.close(); }
  async *[Symbol.asyncIterator]() { yield ""; }
}

/** node:readline's Interface: question() calls back with "". */
export class Interface extends InterfaceBase {
  question(query, optionsOrCallback, callback) {
    if (typeof optionsOrCallback === "function") optionsOrCallback("");
    else if (typeof callback === "function") callback("");
  }
}

/** node:readline/promises' Interface: question() resolves to "". */
export class PromisesInterface extends InterfaceBase {
  question() { return Promise.resolve(""); }
}

export class Readline {
  clearLine() { return this; }
  clearScreenDown() { return this; }
  commit() { return Promise.resolve(); }
  cursorTo() { return this; }
  moveCursor() { return this; }
  rollback() { return this; }
}
