// Bare ASP.NET Core baselines for bench/run.sh (runtime "aspnet"): the work a workload's Worker
// does, written directly against Kestrel and Microsoft.Data.Sqlite, as the ceiling Flint is measured against.
//   dotnet Baseline.dll --port P [--data DIR]
using Microsoft.Data.Sqlite;

var port = int.Parse(ArgValue("--port") ?? "8787");
var dataDir = ArgValue("--data") ?? Path.Combine(Path.GetTempPath(), "flint-bench-baseline");
Directory.CreateDirectory(dataDir);
var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDir, "d1.sqlite"), Pooling = true }.ToString();
Seed(connectionString, 10_000);

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
var app = builder.Build();

app.MapGet("/", () => "Hello World!");
// The cache workload's ceiling: the same 10 KiB served by ASP.NET Core's static-file middleware.
var staticDir = Path.Combine(dataDir, "static");
Directory.CreateDirectory(staticDir);
File.WriteAllText(Path.Combine(staticDir, "asset.txt"), "cached-asset\n" + new string('x', 10 * 1024 - 13));
app.UseStaticFiles(new StaticFileOptions { FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(staticDir), RequestPath = "/cache" });
// The assets workloads' ceiling: the same files (10 KiB, 10 MiB) served by the static-file middleware at the root.
var assetsDir = Path.Combine(dataDir, "assets");
Directory.CreateDirectory(assetsDir);
File.WriteAllText(Path.Combine(assetsDir, "asset.txt"), "asset-10k\n" + new string('x', 10 * 1024 - 10));
var big = new byte[10 * 1024 * 1024];
Random.Shared.NextBytes(big);
File.WriteAllBytes(Path.Combine(assetsDir, "big.bin"), big);
// The r2 workload's ceiling: the same 1 MiB (bytes i & 255) from a file, as GET /r2.
File.WriteAllBytes(Path.Combine(assetsDir, "r2"), Enumerable.Range(0, 1024 * 1024).Select(i => (byte)i).ToArray());
app.UseStaticFiles(new StaticFileOptions
{
    FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(assetsDir),
    ServeUnknownFileTypes = true,
});
app.MapGet("/d1", async () =>
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "SELECT * FROM items WHERE id = $id";
    command.Parameters.AddWithValue("$id", Random.Shared.Next(1, 10_001));
    await using var reader = await command.ExecuteReaderAsync();
    if (!await reader.ReadAsync()) return Results.NotFound();
    var row = new Dictionary<string, object?>(reader.FieldCount);
    for (var i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
    return Results.Json(row);
});
app.Run();

string? ArgValue(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static void Seed(string connectionString, int rows)
{
    using var connection = new SqliteConnection(connectionString);
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = """
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL, stock INTEGER NOT NULL);
        INSERT OR IGNORE INTO items (id, name, price, stock)
          WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $rows) SELECT x, 'item-' || x, x * 1.25, x % 100 FROM c;
        """;
    command.Parameters.AddWithValue("$rows", rows);
    command.ExecuteNonQuery();
}
