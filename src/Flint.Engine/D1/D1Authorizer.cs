using SQLitePCL;

namespace Flint.Engine.D1;

/// <summary>
/// What SQL a Worker may run on D1, enforced through SQLite's authorizer as D1 (and wrangler
/// dev's local D1) does: no ATTACH/DETACH, no temporary objects, no virtual tables other than
/// FTS5 and R*Tree, only the PRAGMAs and functions D1 documents, and no SQL-level transactions
/// (D1 runs each query, and each batch, in a transaction of its own).
/// </summary>
internal sealed class D1Authorizer
{
    // SQLite's authorizer action codes (sqlite3.h).
    private const int CreateIndex = 1, CreateTable = 2, CreateTempIndex = 3, CreateTempTable = 4, CreateTempTrigger = 5,
        CreateTempView = 6, CreateTrigger = 7, CreateView = 8, Delete = 9, DropIndex = 10, DropTable = 11, DropTempIndex = 12,
        DropTempTable = 13, DropTempTrigger = 14, DropTempView = 15, DropTrigger = 16, DropView = 17, Insert = 18, Pragma = 19,
        Read = 20, Select = 21, Transaction = 22, Update = 23, Attach = 24, Detach = 25, AlterTable = 26, Reindex = 27,
        Analyze = 28, CreateVtable = 29, DropVtable = 30, Function = 31, Savepoint = 32, Recursive = 33;

    private const int Ok = 0, Deny = 1;

    /// <summary>The message a Worker sees for BEGIN/SAVEPOINT (wrangler dev's, which comes from its Durable Object storage).</summary>
    public const string TransactionMessage =
        "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.";

    private static readonly HashSet<string> s_functions = new(StringComparer.OrdinalIgnoreCase)
    {
        // core
        "abs", "changes", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "if", "ifnull", "iif", "instr",
        "last_insert_rowid", "length", "like", "likelihood", "likely", "load_extension", "lower", "ltrim", "max", "min", "nullif",
        "octet_length", "printf", "quote", "random", "randomblob", "replace", "round", "rtrim", "sign", "soundex", "substr",
        "substring", "total_changes", "trim", "typeof", "unhex", "unicode", "unistr", "unlikely", "upper", "zeroblob",
        // dates
        "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff", "current_date", "current_time", "current_timestamp",
        // aggregates and windows
        "avg", "count", "group_concat", "string_agg", "sum", "total", "row_number", "rank", "dense_rank", "percent_rank",
        "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
        // math
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh", "degrees", "exp", "floor",
        "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
        // JSON (and its -> and ->> operators, which SQLite implements as functions)
        "json", "jsonb", "json_array", "jsonb_array", "json_array_length", "json_error_position", "json_extract", "jsonb_extract",
        "->", "->>", "json_insert", "jsonb_insert", "json_object", "jsonb_object", "json_patch", "jsonb_patch", "json_pretty",
        "json_remove", "jsonb_remove", "json_replace", "jsonb_replace", "json_set", "jsonb_set", "json_type", "json_valid",
        "json_quote", "json_group_array", "jsonb_group_array", "json_group_object", "jsonb_group_object", "json_each", "json_tree",
        // full-text search
        "bm25", "highlight", "snippet", "fts5", "match", "rtreecheck",
    };

    private enum PragmaArgument { None, Boolean, ObjectName, OptionalObjectName, OptionalNumber, OptionalNumberOrObjectName }

    private static readonly Dictionary<string, PragmaArgument> s_pragmas = new(StringComparer.OrdinalIgnoreCase)
    {
        ["data_version"] = PragmaArgument.None,
        ["page_size"] = PragmaArgument.None,
        ["case_sensitive_like"] = PragmaArgument.Boolean,
        ["foreign_keys"] = PragmaArgument.Boolean,
        ["defer_foreign_keys"] = PragmaArgument.Boolean,
        ["ignore_check_constraints"] = PragmaArgument.Boolean,
        ["legacy_alter_table"] = PragmaArgument.Boolean,
        ["recursive_triggers"] = PragmaArgument.Boolean,
        ["reverse_unordered_selects"] = PragmaArgument.Boolean,
        ["foreign_key_check"] = PragmaArgument.OptionalObjectName,
        ["foreign_key_list"] = PragmaArgument.ObjectName,
        ["index_info"] = PragmaArgument.ObjectName,
        ["index_list"] = PragmaArgument.ObjectName,
        ["index_xinfo"] = PragmaArgument.ObjectName,
        ["quick_check"] = PragmaArgument.OptionalNumberOrObjectName,
        ["optimize"] = PragmaArgument.OptionalNumber,
        ["table_list"] = PragmaArgument.None,
        ["table_info"] = PragmaArgument.ObjectName,
        ["table_xinfo"] = PragmaArgument.ObjectName,
    };

    private static readonly string[] s_booleans = ["true", "false", "yes", "no", "on", "off", "1", "0"];

    /// <summary>True while Flint runs its own statements (BEGIN, COMMIT, size checks): everything is allowed.</summary>
    public bool Internal { get; set; }

    /// <summary>A better message than SQLite's "not authorized" for the last denial, if there is one.</summary>
    public string? DenialMessage { get; private set; }

    // Held here so the callback lives as long as the connection that calls it.
    private strdelegate_authorizer? _callback;

    public void Install(sqlite3 db)
    {
        _callback = Authorize;
        raw.sqlite3_set_authorizer(db, _callback, null);
    }

    public void ResetDenial() => DenialMessage = null;

    private int Authorize(object userData, int action, string param0, string param1, string database, string trigger)
    {
        if (Internal) return Ok;
        var allowed = action switch
        {
            Select or Recursive or Analyze => true,
            CreateTable or Delete or DropTable or Insert or CreateView or DropView or Reindex or Read or Update => IsAllowedName(param0),
            AlterTable => IsAllowedName(param1) && (param0 is null || IsAllowedName(param0)),
            CreateIndex or DropIndex or CreateTrigger or DropTrigger => IsAllowedName(param0) && IsAllowedName(param1),
            Transaction or Savepoint => DenyTransaction(),
            Pragma => IsAllowedPragma(param0, param1),
            Function => param1 is not null && s_functions.Contains(param1),
            CreateVtable or DropVtable => param1 is not null &&
                (param1.Equals("fts5", StringComparison.OrdinalIgnoreCase) || param1.Equals("fts5vocab", StringComparison.OrdinalIgnoreCase) ||
                 param1.Equals("rtree", StringComparison.OrdinalIgnoreCase) || param1.Equals("rtree_i32", StringComparison.OrdinalIgnoreCase)) &&
                IsAllowedName(param0),
            Attach or Detach => false,
            CreateTempIndex or CreateTempTable or CreateTempTrigger or CreateTempView or DropTempIndex or DropTempTable or
                DropTempTrigger or DropTempView => false,
            _ => false,
        };
        return allowed ? Ok : Deny;
    }

    private bool DenyTransaction()
    {
        DenialMessage = TransactionMessage;
        return false;
    }

    // Names Flint (like Cloudflare) keeps for itself.
    private static bool IsAllowedName(string? name) =>
        name is null || !name.StartsWith("_cf_", StringComparison.OrdinalIgnoreCase);

    private static bool IsAllowedPragma(string? pragma, string? argument)
    {
        if (pragma is null || !s_pragmas.TryGetValue(pragma, out var kind)) return false;
        return kind switch
        {
            PragmaArgument.None => argument is null || pragma is "table_list",
            PragmaArgument.Boolean => argument is null || IsBoolean(argument),
            PragmaArgument.ObjectName => argument is not null && IsAllowedName(argument),
            PragmaArgument.OptionalObjectName => IsAllowedName(argument),
            PragmaArgument.OptionalNumber => argument is null || int.TryParse(argument, out _),
            PragmaArgument.OptionalNumberOrObjectName => argument is null || uint.TryParse(argument, out _) || IsAllowedName(argument),
            _ => false,
        };
    }

    private static bool IsBoolean(string value)
    {
        if (value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0]) value = value[1..^1];
        return s_booleans.Any(b => value.StartsWith(b, StringComparison.OrdinalIgnoreCase));
    }
}
