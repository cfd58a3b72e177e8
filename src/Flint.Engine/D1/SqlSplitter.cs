namespace Flint.Engine.D1;

/// <summary>One statement cut out of a longer SQL text.</summary>
/// <param name="Text">The statement from its first token to its terminating <c>;</c> (kept), comments inside it kept.</param>
/// <param name="Offset">Where it starts in the original text (UTF-16 index).</param>
/// <param name="Line">The 1-based line it starts on.</param>
public readonly record struct SqlPiece(string Text, int Offset, int Line);

/// <summary>
/// Splits SQL into statements at the semicolons that end them, the way SQLite's own completeness
/// check reads SQL: semicolons inside <c>'strings'</c>, <c>"identifiers"</c>, <c>`identifiers`</c>,
/// <c>[identifiers]</c>, <c>-- comments</c> and <c>/* comments */</c> do not count, and inside
/// <c>CREATE [TEMP] TRIGGER … BEGIN … END</c> only the <c>;</c> after the final <c>END</c> (itself right
/// after a <c>;</c>) ends the statement. Pieces that hold only comments or whitespace are dropped.
/// </summary>
public static class SqlSplitter
{
    private enum Token { None, Semi, Word, Other }

    public static IReadOnlyList<SqlPiece> Split(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var pieces = new List<SqlPiece>();
        var start = -1;           // index of the current statement's first token, -1 before it
        var startLine = 1;
        var line = 1;
        var words = 0;            // leading words seen, to recognise CREATE [TEMP|TEMPORARY] TRIGGER
        var leading = new string?[4];
        var isTrigger = false;
        Token previous = Token.None, beforePrevious = Token.None;
        var previousWasEnd = false;

        var i = 0;
        while (i < sql.Length)
        {
            var ch = sql[i];
            // Whitespace and comments: not tokens.
            if (char.IsWhiteSpace(ch))
            {
                if (ch == '\n') line++;
                i++;
                continue;
            }
            if (ch == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n') i++;
                continue;
            }
            if (ch == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var close = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                var end = close < 0 ? sql.Length : close + 2;
                line += CountLines(sql, i, end);
                i = end;
                continue;
            }

            if (start < 0 && ch != ';')
            {
                start = i;
                startLine = line;
                words = 0;
                Array.Clear(leading);
                isTrigger = false;
                previous = beforePrevious = Token.None;
                previousWasEnd = false;
            }

            Token token;
            var isEnd = false;
            switch (ch)
            {
                case ';':
                    token = Token.Semi;
                    i++;
                    break;
                case '\'' or '"' or '`':
                    i = SkipQuoted(sql, i, ch, ref line);
                    token = Token.Other;
                    break;
                case '[':
                    {
                        var close = sql.IndexOf(']', i + 1);
                        var end = close < 0 ? sql.Length : close + 1;
                        line += CountLines(sql, i, end);
                        i = end;
                        token = Token.Other;
                        break;
                    }
                default:
                    if (IsWordStart(ch))
                    {
                        var wordStart = i;
                        while (i < sql.Length && IsWordPart(sql[i])) i++;
                        var word = sql.AsSpan(wordStart, i - wordStart);
                        token = Token.Word;
                        isEnd = word.Equals("END", StringComparison.OrdinalIgnoreCase);
                        if (words < leading.Length) leading[words] = word.ToString();
                        words++;
                        if (!isTrigger && words <= 4) isTrigger = IsCreateTrigger(leading, words);
                    }
                    else
                    {
                        i++;
                        token = Token.Other;
                    }
                    break;
            }

            if (token == Token.Semi)
            {
                if (start < 0) continue; // a stray ';' between statements
                // Outside a trigger any ';' ends the statement; in one, only "; END ;" does.
                var ends = !isTrigger || (previousWasEnd && beforePrevious == Token.Semi);
                if (ends)
                {
                    pieces.Add(new SqlPiece(sql[start..i], start, startLine));
                    start = -1;
                    continue;
                }
            }
            beforePrevious = previous;
            previous = token;
            previousWasEnd = isEnd;
        }
        if (start >= 0)
        {
            var text = sql[start..].TrimEnd();
            if (text.Length > 0) pieces.Add(new SqlPiece(text, start, startLine));
        }
        return pieces;
    }

    // CREATE [TEMP|TEMPORARY] TRIGGER, optionally after EXPLAIN [QUERY PLAN].
    private static bool IsCreateTrigger(string?[] leading, int count)
    {
        var k = 0;
        if (Is(leading, k, "EXPLAIN"))
        {
            k++;
            if (Is(leading, k, "QUERY") && Is(leading, k + 1, "PLAN")) k += 2;
        }
        if (!Is(leading, k, "CREATE")) return false;
        k++;
        if (Is(leading, k, "TEMP") || Is(leading, k, "TEMPORARY")) k++;
        return Is(leading, k, "TRIGGER");
    }

    private static bool Is(string?[] leading, int index, string word) =>
        index < leading.Length && leading[index] is { } w && w.Equals(word, StringComparison.OrdinalIgnoreCase);

    private static int SkipQuoted(string sql, int i, char quote, ref int line)
    {
        i++;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '\n') line++;
            if (c == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote) { i += 2; continue; } // doubled quote inside
                return i + 1;
            }
            i++;
        }
        return i;
    }

    private static int CountLines(string sql, int from, int to)
    {
        var n = 0;
        for (var k = from; k < to; k++) if (sql[k] == '\n') n++;
        return n;
    }

    private static bool IsWordStart(char c) => char.IsAsciiLetter(c) || c == '_' || c > 0x7f;
    private static bool IsWordPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' || c > 0x7f;
}
