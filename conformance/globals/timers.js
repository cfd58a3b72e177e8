// HTML timers and microtasks: setTimeout, setInterval, queueMicrotask.

test("setTimeout runs after the delay with arguments", async () => {
  const start = Date.now();
  const args = await new Promise((resolve) => setTimeout((...a) => resolve(a), 20, 1, "two"));
  assert_array_equals(args, [1, "two"]);
  assert_true(Date.now() - start >= 15, "waited");
});

test("timers run in order of their deadline", async () => {
  const order = [];
  await new Promise((resolve) => {
    setTimeout(() => order.push(30), 30);
    setTimeout(() => order.push(0), 0);
    setTimeout(() => order.push(10), 10);
    setTimeout(() => { order.push("end"); resolve(); }, 50);
  });
  assert_array_equals(order, [0, 10, 30, "end"]);
});

test("equal timeouts run in the order they were set", async () => {
  const order = [];
  await new Promise((resolve) => {
    for (let i = 0; i < 5; i++) setTimeout(() => order.push(i), 5);
    setTimeout(resolve, 20);
  });
  assert_array_equals(order, [0, 1, 2, 3, 4]);
});

test("clearTimeout cancels", async () => {
  let ran = false;
  const id = setTimeout(() => { ran = true; }, 5);
  clearTimeout(id);
  await delay(20);
  assert_false(ran);
  clearTimeout(123456789);
  clearTimeout(undefined);
});

test("setInterval repeats until cleared", async () => {
  let n = 0;
  await new Promise((resolve) => {
    const id = setInterval(() => { if (++n === 3) { clearInterval(id); resolve(); } }, 2);
  });
  await delay(10);
  assert_equals(n, 3);
});

test("microtasks run before timers", async () => {
  const order = [];
  await new Promise((resolve) => {
    setTimeout(() => { order.push("timeout"); resolve(); }, 0);
    queueMicrotask(() => order.push("microtask"));
    Promise.resolve().then(() => order.push("promise"));
  });
  assert_array_equals(order, ["microtask", "promise", "timeout"]);
});

test("queueMicrotask requires a function", () => {
  assert_throws_js(TypeError, () => queueMicrotask(5));
  assert_throws_js(TypeError, () => queueMicrotask());
});

test("timer ids are positive and distinct", () => {
  const a = setTimeout(() => {}, 1000), b = setTimeout(() => {}, 1000);
  clearTimeout(a); clearTimeout(b);
  assert_true(a !== b);
  assert_true(Number(a) > 0);
});

test("a negative or missing delay is treated as zero", async () => {
  await new Promise((resolve) => setTimeout(resolve, -10));
  await new Promise((resolve) => setTimeout(resolve));
});

test("setTimeout's callback sees globalThis as this", async () => {
  const self = await new Promise((resolve) => setTimeout(function () { resolve(this); }, 0));
  assert_equals(self, globalThis);
});
