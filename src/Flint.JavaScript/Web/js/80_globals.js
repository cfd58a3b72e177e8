// Small globals: performance, navigator, self.

// As in workerd, performance.now() is Date.now() (the time origin is the epoch, timeOrigin 0).
class Performance {
  constructor() { throw new TypeError("Illegal constructor"); }
  get timeOrigin() { return 0; }
  now() { return Date.now(); }
  toJSON() { return { timeOrigin: 0 }; }
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
