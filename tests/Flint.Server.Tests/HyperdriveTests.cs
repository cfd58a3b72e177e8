using System.Text.Json;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// Hyperdrive bindings against a real PostgreSQL: the binding's fields as wrangler dev gives them,
/// and the npm drivers pg and postgres (bundled with nodejs_compat) connecting through connect().
/// </summary>
public class HyperdriveTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private async Task<RunningWorker> StartAsync(string code, string? connectionString = null)
    {
        var dir = RunningWorker.WriteFiles(new Dictionary<string, string>
        {
            ["wrangler.toml"] = $"""
                name = "hyperdrive"
                main = "index.js"
                compatibility_date = "2025-11-01"
                compatibility_flags = ["nodejs_compat"]
                [[hyperdrive]]
                binding = "HD"
                id = "0123456789abcdef"
                localConnectionString = "{connectionString ?? postgres.ConnectionString}"
                """,
            ["index.js"] = code,
        });
        await TestTools.LinkNpmFixtureIntoAsync(dir);
        return await RunningWorker.StartInAsync(dir, ownsDirectory: true);
    }

    [Fact]
    public async Task TheBindingShowsAMadeUpHostAndReachesTheDatabase()
    {
        await using var w = await StartAsync("""
            import { connect } from "cloudflare:sockets";
            import dns from "node:dns/promises";
            export default {
              async fetch(req, env) {
                const hd = env.HD;
                const socket = hd.connect();
                const info = await socket.opened;
                await socket.close();
                const byHost = connect({ hostname: hd.host, port: hd.port });
                await byHost.opened;
                await byHost.close();
                const byIp = connect(`${hd.ip}:${hd.port}`);
                await byIp.opened;
                await byIp.close();
                return Response.json({ keys: Object.keys(hd), proto: Object.getOwnPropertyNames(Object.getPrototypeOf(hd)).sort(), tag: Object.prototype.toString.call(hd),
                  hd, info, lookup: await dns.lookup(hd.host) });
              },
            };
            """);
        using var doc = JsonDocument.Parse(await w.GetStringAsync("/"));
        var r = doc.RootElement;
        var hd = r.GetProperty("hd");
        var host = hd.GetProperty("host").GetString()!;
        Assert.Matches("^[0-9a-f]{32}\\.hyperdrive\\.local$", host);
        Assert.Matches(@"^240\.0\.\d+\.\d+$", hd.GetProperty("ip").GetString()!);
        Assert.Equal("""["connectionString","port","ip","host","password","user","database"]""", r.GetProperty("keys").GetRawText());
        Assert.Equal("""["connect","constructor"]""", r.GetProperty("proto").GetRawText());
        Assert.Equal("[object Hyperdrive]", r.GetProperty("tag").GetString());
        Assert.Equal($"postgres://{PostgresServer.User}:{PostgresServer.Password}@{host}:5432/{PostgresServer.Database}?sslmode=disable", hd.GetProperty("connectionString").GetString());
        Assert.Equal(5432, hd.GetProperty("port").GetInt32());
        Assert.Equal(PostgresServer.Database, hd.GetProperty("database").GetString());
        Assert.Equal($"{host}:5432", r.GetProperty("info").GetProperty("remoteAddress").GetString());
        Assert.Equal(hd.GetProperty("ip").GetString(), r.GetProperty("lookup").GetProperty("address").GetString());
    }

    [Fact]
    public async Task PgQueriesThroughHyperdrive()
    {
        await postgres.PsqlAsync("CREATE TABLE IF NOT EXISTS pg_notes (id serial PRIMARY KEY, body text NOT NULL, at timestamptz DEFAULT now())");
        await using var w = await StartAsync("""
            import pg from "pg";
            export default {
              async fetch(req, env, ctx) {
                const client = new pg.Client({ connectionString: env.HD.connectionString });
                await client.connect();
                const inserted = await client.query("INSERT INTO pg_notes (body) VALUES ($1), ($2) RETURNING id", ["from pg", "ünïcode ✓"]);
                const sum = await client.query("SELECT $1::int + $2::int AS n, current_user AS who, pg_typeof(now())::text AS t", [40, 2]);
                const rows = await client.query("SELECT body FROM pg_notes WHERE id = ANY($1) ORDER BY id", [inserted.rows.map((r) => r.id)]);
                let error;
                try { await client.query("SELECT * FROM no_such_table"); } catch (e) { error = [e.code, e.message]; }
                const after = await client.query("SELECT 1 AS still");
                ctx.waitUntil(client.end());
                return Response.json({ n: sum.rows[0].n, who: sum.rows[0].who, t: sum.rows[0].t, bodies: rows.rows.map((r) => r.body), error, after: after.rows[0].still });
              },
            };
            """);
        Assert.Equal("""{"n":42,"who":"flint","t":"timestamp with time zone","bodies":["from pg","ünïcode ✓"],"error":["42P01","relation \"no_such_table\" does not exist"],"after":1}""",
            await w.GetStringAsync("/"));
        Assert.Equal("from pg", await postgres.PsqlAsync("SELECT body FROM pg_notes ORDER BY id LIMIT 1"));
    }

    [Fact]
    public async Task PostgresJsQueriesThroughHyperdrive()
    {
        await postgres.PsqlAsync("CREATE TABLE IF NOT EXISTS js_items (id serial PRIMARY KEY, name text NOT NULL, price numeric(10,2))");
        await using var w = await StartAsync("""
            import postgres from "postgres";
            export default {
              async fetch(req, env, ctx) {
                const sql = postgres(env.HD.connectionString, { max: 1, fetch_types: false });
                await sql`INSERT INTO js_items ${sql([{ name: "apple", price: 1.25 }, { name: "pear", price: 2 }], "name", "price")}`;
                const rows = await sql`SELECT name, price FROM js_items WHERE price > ${1} ORDER BY name`;
                const [one] = await sql`SELECT ${"héllo"}::text AS greeting, 6 * 7 AS answer`;
                const inTx = await sql.begin(async (tx) => {
                  await tx`INSERT INTO js_items (name, price) VALUES ('fig', 3)`;
                  return (await tx`SELECT count(*)::int AS n FROM js_items`)[0].n;
                });
                let error;
                try { await sql`SELECT nope FROM js_items`; } catch (e) { error = [e.code, e.message]; }
                ctx.waitUntil(sql.end());
                return Response.json({ rows, one, inTx, error });
              },
            };
            """);
        Assert.Equal("""{"rows":[{"name":"apple","price":"1.25"},{"name":"pear","price":"2.00"}],"one":{"greeting":"héllo","answer":42},"inTx":3,"error":["42703","column \"nope\" does not exist"]}""",
            await w.GetStringAsync("/"));
    }
}
