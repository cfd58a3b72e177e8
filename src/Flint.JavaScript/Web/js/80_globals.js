// Small globals: performance, navigator, self.

const timeOrigin = Date.now();
class Performance {
  constructor() { throw new TypeError("Illegal constructor"); }
  get timeOrigin() { return timeOrigin; }
  now() { return Date.now() - timeOrigin; }
  toJSON() { return { timeOrigin }; }
}
webidlInterface(Performance);
defineGlobal("Performance", Performance);
defineGlobal("performance", Object.create(Performance.prototype));

class Navigator {
  constructor() { throw new TypeError("Illegal constructor"); }
  get userAgent() { return "Cloudflare-Workers"; }
  get hardwareConcurrency() { return 1; }
  get language() { return "en"; }
  get languages() { return ["en"]; }
}
webidlInterface(Navigator);
defineGlobal("Navigator", Navigator);
defineGlobal("navigator", Object.create(Navigator.prototype));

defineGlobal("self", globalThis);
