using Flint.Engine.Config;

namespace Flint.Engine.Tests.Config;

public class DotEnvTests
{
    [Fact]
    public void ParsesDotenvSyntax()
    {
        var values = DotEnv.Parse("""
            # a comment
            PLAIN=value
            SPACED =  spaced value   
            export EXPORTED=yes
            EMPTY=
            INLINE=before # after
            SINGLE='single # not a comment'
            DOUBLE="line1\nline2"
            RAW='no\nescape'
            BACKTICK=`it's "quoted"`
            MULTI="first
            second"
            YAML: style
            dotted.key-name=ok
            DUP=first
            DUP=second
            """, out var issues);
        Assert.Empty(issues);
        Assert.Equal("value", values["PLAIN"]);
        Assert.Equal("spaced value", values["SPACED"]);
        Assert.Equal("yes", values["EXPORTED"]);
        Assert.Equal("", values["EMPTY"]);
        Assert.Equal("before", values["INLINE"]);
        Assert.Equal("single # not a comment", values["SINGLE"]);
        Assert.Equal("line1\nline2", values["DOUBLE"]);
        Assert.Equal("no\\nescape", values["RAW"]);
        Assert.Equal("it's \"quoted\"", values["BACKTICK"]);
        Assert.Equal("first\nsecond", values["MULTI"]);
        Assert.Equal("style", values["YAML"]);
        Assert.Equal("ok", values["dotted.key-name"]);
        Assert.Equal("second", values["DUP"]);
    }

    [Fact]
    public void CrLfAndBomAreHandled()
    {
        var values = DotEnv.Parse("\uFEFFA=1\r\nB=\"x\"\r\n");
        Assert.Equal("1", values["A"]);
        Assert.Equal("x", values["B"]);
    }

    [Fact]
    public void UnterminatedQuoteIsKeptLiterally()
    {
        var values = DotEnv.Parse("A=\"open\nB=2\n");
        Assert.Equal("\"open", values["A"]);
        Assert.Equal("2", values["B"]);
    }

    [Fact]
    public void BadLinesAreReportedWithLineNumbers()
    {
        var values = DotEnv.Parse("A=1\n\nnot a pair\nB=2\n", out var issues);
        Assert.Equal(["A", "B"], values.Keys.Order());
        var issue = Assert.Single(issues);
        Assert.Equal(3, issue.Line);
    }

    [Fact]
    public void LineNumbersCountMultilineValues()
    {
        DotEnv.Parse("A=\"x\ny\"\n???\n", out var issues);
        Assert.Equal(3, Assert.Single(issues).Line);
    }

    [Fact]
    public void ExpandsReferences()
    {
        var expanded = DotEnv.Expand(new Dictionary<string, string>
        {
            ["HOST"] = "example.com",
            ["URL"] = "https://${HOST}/$PATH_PART",
            ["PATH_PART"] = "v1",
            ["FALLBACK"] = "${MISSING:-default}",
            ["ESCAPED"] = "\\$HOST",
        });
        Assert.Equal("https://example.com/v1", expanded["URL"]);
        Assert.Equal("default", expanded["FALLBACK"]);
        Assert.Equal("$HOST", expanded["ESCAPED"]);
    }
}
