using System.Text;
using Flint.JavaScript.Bindings;

namespace Flint.JavaScript.Tests.Bindings;

/// <summary>A long binding answer goes over in slices, each small enough to stay out of .NET's large object heap.</summary>
public class BindingResultTests
{
    [Fact]
    public void ShortTextIsOnePieceAndLongTextIsSlicedOnCharacterBoundaries()
    {
        Assert.Equal("{\"a\":1}", BindingResult.FromUtf8("{\"a\":1}"u8).Text);

        // Two-, three- and four-byte characters, so slice ends fall inside characters.
        var random = new Random(7);
        var pieces = new[] { "a", "é", "ж", "€", "😀", "\"", "\\u0000" };
        var text = new StringBuilder();
        while (text.Length < 300_000) text.Append(pieces[random.Next(pieces.Length)]);
        var utf8 = Encoding.UTF8.GetBytes(text.ToString());
        var result = BindingResult.FromUtf8(utf8);
        Assert.Null(result.Text);
        Assert.True(result.TextParts!.Count > 1);
        Assert.All(result.TextParts, p => Assert.True(p.Length * sizeof(char) < 85_000, $"a slice of {p.Length} characters"));
        Assert.Equal(text.ToString(), string.Concat(result.TextParts));
    }
}
