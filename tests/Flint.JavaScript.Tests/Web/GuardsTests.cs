using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>V8 aborts the process on some sizes instead of throwing; the guards throw first.</summary>
public class GuardsTests
{
    [Fact]
    public Task SplittingAStringIntoMoreElementsThanV8CanHoldIsARangeErrorNotAnAbort() => JsChecks.RunAsync("""
        check("split into 2^28 pieces", () => {
          // Doubling makes cons strings that share their halves: 2^28 characters in about 1 MB.
          const long = (unit, times) => { let s = unit; for (let i = 0; i < times; i++) s = s + s; return s; };
          const big = long("x".repeat(2 ** 20), 8);
          eq(big.length, 2 ** 28);
          throws(() => big.split(""), "RangeError");
        });
        check("split still splits", () => {
          eq("a,b,,c".split(","), ["a", "b", "", "c"]);
          eq("abc".split(""), ["a", "b", "c"]);
          eq("a1b2c".split(/\d/), ["a", "b", "c"]);
          eq("a,b,c".split(",", 2), ["a", "b"]);
          eq(String.prototype.split.call(12345, "3"), ["12", "45"]);
          eq([String.prototype.split.name, String.prototype.split.length], ["split", 2]);
          eq(Object.getOwnPropertyDescriptor(String.prototype, "split").enumerable, false);
          throws(() => new String.prototype.split(), "TypeError");
        });
        """);
}
