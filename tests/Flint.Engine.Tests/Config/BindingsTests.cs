using Flint.Engine.Config;

namespace Flint.Engine.Tests.Config;

public class BindingsTests
{
    private const string AllBindingsToml = """
        [[kv_namespaces]]
        binding = "CACHE"
        id = "abc123"
        preview_id = "def456"

        [[kv_namespaces]]
        binding = "NO_ID"

        [[d1_databases]]
        binding = "DB"
        database_name = "prod-db"
        database_id = "0000-1111"
        preview_database_id = "preview-db"
        migrations_dir = "db/migrations"
        migrations_table = "my_migrations"

        [[d1_databases]]
        binding = "DB2"

        [[r2_buckets]]
        binding = "BUCKET"
        bucket_name = "my-bucket"
        preview_bucket_name = "my-bucket-preview"
        jurisdiction = "eu"

        [[r2_buckets]]
        binding = "BUCKET2"

        [durable_objects]
        bindings = [
          { name = "COUNTER", class_name = "Counter" },
          { name = "REMOTE", class_name = "Room", script_name = "chat", environment = "production" },
        ]

        [[migrations]]
        tag = "v1"
        new_classes = ["Counter"]
        new_sqlite_classes = ["Room"]

        [[migrations]]
        tag = "v2"
        renamed_classes = [{ from = "Counter", to = "Tally" }]
        deleted_classes = ["Old"]

        [[queues.producers]]
        binding = "JOBS"
        queue = "jobs"
        delivery_delay = 5

        [[queues.producers]]
        binding = "EVENTS"

        [[queues.consumers]]
        queue = "jobs"
        max_batch_size = 10
        max_batch_timeout = 5
        max_retries = 3
        dead_letter_queue = "jobs-dlq"
        max_concurrency = 2
        retry_delay = 30

        [[queues.consumers]]
        queue = "events"

        [[services]]
        binding = "AUTH"
        service = "auth-worker"
        entrypoint = "AuthEntrypoint"
        environment = "production"
        props = { tenant = "acme" }

        [[services]]
        binding = "PLAIN"
        service = "plain-worker"

        [assets]
        directory = "./public"
        binding = "ASSETS"
        html_handling = "drop-trailing-slash"
        not_found_handling = "single-page-application"
        run_worker_first = ["/api/*"]
        """;

    [Fact]
    public void EveryBindingSectionIsParsed()
    {
        using var w = TempWorker.Toml(AllBindingsToml);
        Directory.CreateDirectory(w.Path("public"));
        var (config, warnings) = w.Load();
        Assert.Empty(warnings);
        AssertAllBindings(w, config);
    }

    [Fact]
    public void EveryBindingSectionIsParsedFromJson()
    {
        using var w = TempWorker.Json("""
            {
              "name": "w", "main": "src/index.js", "compatibility_date": "2025-01-01",
              "kv_namespaces": [{ "binding": "CACHE", "id": "abc123", "preview_id": "def456" }, { "binding": "NO_ID" }],
              "d1_databases": [
                { "binding": "DB", "database_name": "prod-db", "database_id": "0000-1111", "preview_database_id": "preview-db",
                  "migrations_dir": "db/migrations", "migrations_table": "my_migrations" },
                { "binding": "DB2" },
              ],
              "r2_buckets": [
                { "binding": "BUCKET", "bucket_name": "my-bucket", "preview_bucket_name": "my-bucket-preview", "jurisdiction": "eu" },
                { "binding": "BUCKET2" },
              ],
              "durable_objects": { "bindings": [
                { "name": "COUNTER", "class_name": "Counter" },
                { "name": "REMOTE", "class_name": "Room", "script_name": "chat", "environment": "production" },
              ] },
              "migrations": [
                { "tag": "v1", "new_classes": ["Counter"], "new_sqlite_classes": ["Room"] },
                { "tag": "v2", "renamed_classes": [{ "from": "Counter", "to": "Tally" }], "deleted_classes": ["Old"] },
              ],
              "queues": {
                "producers": [{ "binding": "JOBS", "queue": "jobs", "delivery_delay": 5 }, { "binding": "EVENTS" }],
                "consumers": [
                  { "queue": "jobs", "max_batch_size": 10, "max_batch_timeout": 5, "max_retries": 3, "dead_letter_queue": "jobs-dlq",
                    "max_concurrency": 2, "retry_delay": 30 },
                  { "queue": "events" },
                ],
              },
              "services": [
                { "binding": "AUTH", "service": "auth-worker", "entrypoint": "AuthEntrypoint", "environment": "production", "props": { "tenant": "acme" } },
                { "binding": "PLAIN", "service": "plain-worker" },
              ],
              "assets": { "directory": "./public", "binding": "ASSETS", "html_handling": "drop-trailing-slash",
                          "not_found_handling": "single-page-application", "run_worker_first": ["/api/*"] },
            }
            """);
        Directory.CreateDirectory(w.Path("public"));
        var (config, warnings) = w.Load();
        Assert.Empty(warnings);
        AssertAllBindings(w, config);
    }

    private static void AssertAllBindings(TempWorker w, WorkerConfig config)
    {
        var b = config.Bindings;
        Assert.Equal([new KvNamespaceBinding("CACHE", "abc123", "def456"), new KvNamespaceBinding("NO_ID", "NO_ID", null)], b.KvNamespaces);

        Assert.Equal(2, b.D1Databases.Count);
        var db = b.D1Databases[0];
        Assert.Equal(("DB", "prod-db", "0000-1111", "preview-db"), (db.Binding, db.DatabaseName, db.DatabaseId, db.PreviewDatabaseId));
        Assert.Equal(w.Path("db/migrations"), db.MigrationsDir);
        Assert.Equal("my_migrations", db.MigrationsTable);
        Assert.Equal("preview-db", db.LocalId);
        var db2 = b.D1Databases[1];
        Assert.Equal(("DB2", "DB2", "DB2", "DB2"), (db2.Binding, db2.DatabaseName, db2.DatabaseId, db2.LocalId));
        Assert.Equal(w.Path("migrations"), db2.MigrationsDir);
        Assert.Equal("d1_migrations", db2.MigrationsTable);

        Assert.Equal([new R2BucketBinding("BUCKET", "my-bucket", "my-bucket-preview", "eu"), new R2BucketBinding("BUCKET2", "BUCKET2", null, null)], b.R2Buckets);

        Assert.Equal(2, b.DurableObjects.Count);
        Assert.Equal(new DurableObjectBinding("COUNTER", "Counter", null), b.DurableObjects[0]);
        Assert.Equal(("REMOTE", "Room", "chat", "production"),
            (b.DurableObjects[1].Name, b.DurableObjects[1].ClassName, b.DurableObjects[1].ScriptName, b.DurableObjects[1].Environment));

        Assert.Equal(2, b.Migrations.Count);
        Assert.Equal("v1", b.Migrations[0].Tag);
        Assert.Equal(["Counter"], b.Migrations[0].NewClasses);
        Assert.Equal(["Room"], b.Migrations[0].NewSqliteClasses);
        Assert.Equal("v2", b.Migrations[1].Tag);
        Assert.Equal([("Counter", "Tally")], b.Migrations[1].RenamedClasses);
        Assert.Equal(["Old"], b.Migrations[1].DeletedClasses);

        Assert.Equal([new QueueProducerBinding("JOBS", "jobs", 5), new QueueProducerBinding("EVENTS", "EVENTS", null)], b.QueueProducers);
        Assert.Equal([new QueueConsumerConfig("jobs", 10, 5, 3, "jobs-dlq", 2, 30), new QueueConsumerConfig("events", null, null, null, null, null, null)],
            b.QueueConsumers);

        Assert.Equal(2, b.Services.Count);
        var auth = b.Services[0];
        Assert.Equal(("AUTH", "auth-worker", "AuthEntrypoint", "production"), (auth.Binding, auth.Service, auth.Entrypoint, auth.Environment));
        Assert.Equal("""{"tenant":"acme"}""", auth.Props!.ToJsonString());
        Assert.Equal(new ServiceBinding("PLAIN", "plain-worker", null, null), b.Services[1]);

        var assets = config.Assets!;
        Assert.Equal(w.Path("public"), assets.Directory);
        Assert.Equal("ASSETS", assets.Binding);
        Assert.Equal("drop-trailing-slash", assets.HtmlHandling);
        Assert.Equal("single-page-application", assets.NotFoundHandling);
        Assert.Null(assets.RunWorkerFirst);
        Assert.Equal(["/api/*"], assets.RunWorkerFirstPatterns);
    }

    [Fact]
    public void AssetsRunWorkerFirstMayBeABoolean()
    {
        using var w = TempWorker.Toml("assets = { directory = \"static\", run_worker_first = true }\n");
        Directory.CreateDirectory(w.Path("static"));
        var assets = w.Load().Config.Assets!;
        Assert.True(assets.RunWorkerFirst);
        Assert.Null(assets.Binding);
    }

    [Fact]
    public void MigrationsTriggersAssetsAndLimitsAreInheritedByEnvironments()
    {
        using var w = TempWorker.Toml("""
            [[migrations]]
            tag = "v1"
            new_sqlite_classes = ["Counter"]
            [triggers]
            crons = ["* * * * *"]
            [assets]
            directory = "public"
            [limits]
            cpu_ms = 10
            [env.staging]
            durable_objects.bindings = [{ name = "COUNTER", class_name = "Counter" }]
            """);
        Directory.CreateDirectory(w.Path("public"));
        var (config, _) = w.Load(env: "staging");
        Assert.Equal("v1", Assert.Single(config.Bindings.Migrations).Tag);
        Assert.Equal(["* * * * *"], config.CronTriggers);
        Assert.Equal(w.Path("public"), config.Assets!.Directory);
        Assert.Equal(10, config.Limits.CpuMs);
        Assert.Equal("COUNTER", Assert.Single(config.Bindings.DurableObjects).Name);
    }

    [Fact]
    public void RemoteBindingsWarnThatTheyRunLocally()
    {
        using var w = TempWorker.Toml("[[kv_namespaces]]\nbinding = \"KV\"\nremote = true\n");
        var (config, warnings) = w.Load();
        Assert.Single(config.Bindings.KvNamespaces);
        Assert.Contains(warnings, x => x.Message.Contains("\"kv_namespaces[0].remote\" is ignored"));
    }

    [Fact]
    public void UnexpectedFieldInABindingWarns()
    {
        using var w = TempWorker.Toml("[[kv_namespaces]]\nbinding = \"KV\"\nnamespace = \"oops\"\n");
        var (_, warnings) = w.Load();
        var warning = Assert.Single(warnings);
        Assert.Contains("Unexpected fields found in kv_namespaces[0] field: \"namespace\"", warning.Message);
        Assert.Contains(w.Path("wrangler.toml"), warning.Message);
    }
}
