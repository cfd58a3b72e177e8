using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.Engine.Config;
using Flint.Engine.Queues;
using Flint.Engine.Storage;

namespace Flint.Cli;

/// <summary>
/// <c>flint queues …</c>, shaped like <c>wrangler queues …</c> but acting on Flint's local data (the
/// directory <c>flint dev</c> uses for the same Workers): queues are their logs there; producers and
/// consumers are what the Workers' configs say, so <c>consumer add/remove</c> edit the config.
/// <c>messages</c> and <c>purge</c> look at and empty a queue or its dead-letter queue; a running
/// <c>flint dev</c> sees the changes within a second.
/// </summary>
internal static class QueuesCommands
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var queues = new Command("queues", "Manage Queues in Flint's local data.");
        queues.Subcommands.Add(List(stdout, stderr));
        queues.Subcommands.Add(Create(stdout, stderr));
        queues.Subcommands.Add(Update(stdout, stderr));
        queues.Subcommands.Add(Delete(stdout, stderr));
        queues.Subcommands.Add(Info(stdout, stderr));
        queues.Subcommands.Add(Messages(stdout, stderr));
        queues.Subcommands.Add(Purge(stdout, stderr));
        var consumer = new Command("consumer", "Add or remove a queue's consumer Worker (a queues.consumers entry in its config).");
        consumer.Subcommands.Add(ConsumerAdd(stdout, stderr));
        consumer.Subcommands.Add(ConsumerRemove(stdout, stderr));
        queues.Subcommands.Add(consumer);
        return queues;
    }

    /// <summary>The Workers' configs (repeatable <c>-c</c>) and the data directory.</summary>
    private sealed class Target
    {
        public readonly Option<string[]> Configs = new("--config", "-c")
        {
            Description = "A Worker's directory or wrangler config file (default: the current directory); repeatable, as for flint dev -c a -c b.",
            AllowMultipleArgumentsPerToken = false,
        };
        public readonly Option<string?> Env = new("--env", "-e") { Description = "Use the [env.NAME] section of the config." };
        public readonly Option<string?> PersistTo = new("--persist-to") { Description = "Flint's data directory (default: .flint beside the first config), as for flint dev." };

        public void AddTo(Command c)
        {
            c.Options.Add(Configs);
            c.Options.Add(Env);
            c.Options.Add(PersistTo);
        }

        /// <summary>The configs (none when only --persist-to is given and no config is found) and the data directory.</summary>
        public (IReadOnlyList<WorkerConfig> Configs, string DataDirectory) Resolve(ParseResult parse, bool needConfig = false)
        {
            var persist = parse.GetValue(PersistTo);
            var targets = parse.GetValue(Configs) is { Length: > 0 } given ? given : ["."];
            var configs = new List<WorkerConfig>();
            foreach (var t in targets)
            {
                try
                {
                    configs.Add(ConfigLoader.Load(new ConfigLoadOptions { Target = Path.GetFullPath(t), Environment = parse.GetValue(Env), PersistTo = persist }).Config);
                }
                catch (ConfigException) when (persist is not null && !needConfig && parse.GetValue(Configs) is not { Length: > 0 }) { } // a data directory alone is enough
            }
            return (configs, persist is not null ? Path.GetFullPath(persist) : configs[0].PersistDirectory);
        }
    }

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var cmd = new Command("list", "List the queues: those with local data and those the configs name.");
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var (configs, dir) = t.Resolve(parse);
            using var data = new LocalData(dir);
            var names = data.Queues.Names().Concat(configs.SelectMany(Named)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (names.Count == 0)
            {
                stdout.WriteLine("No queues yet. A queue appears when a Worker first sends to it, or with flint queues create NAME.");
                return Task.CompletedTask;
            }
            var rows = names.Select(n => new[]
            {
                n,
                data.Queues.Exists(n) ? data.Queues.Queue(n).Count().ToString() : "0",
                string.Join(", ", Producers(configs, n)).DefaultIfEmpty("-"),
                string.Join(", ", Consumers(configs, n).Select(c => c.Worker)).DefaultIfEmpty("-"),
            }).ToList();
            WriteTable(stdout, ["queue", "messages", "producers", "consumer"], rows);
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static string DefaultIfEmpty(this string s, string fallback) => s.Length == 0 ? fallback : s;

    private static readonly Option<int?> DeliveryDelay = new("--delivery-delay-secs") { Description = "Delay every message sent to the queue by this many seconds (0 to 43200)." };
    private static readonly Option<int?> Retention = new("--message-retention-period-secs") { Description = "Delete messages older than this (60 to 1209600 s; default 4 days)." };

    private static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var name = new Argument<string>("name") { Description = "The queue's name." };
        var cmd = new Command("create", "Create a queue (sending to a queue creates it too).") { name, DeliveryDelay, Retention };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (_, dir) = t.Resolve(parse);
            var queue = ValidName(parse.GetValue(name)!);
            using var data = new LocalData(dir);
            if (data.Queues.Exists(queue)) throw new CliException($"Queue \"{queue}\" already exists. Change its settings with flint queues update {queue}.");
            await data.Queues.Queue(queue).UpdateSettingsAsync(parse.GetValue(DeliveryDelay), parse.GetValue(Retention), ct);
            stdout.WriteLine($"Created queue {queue}.");
        }));
        return cmd;
    }

    private static Command Update(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var name = new Argument<string>("name") { Description = "The queue's name." };
        var cmd = new Command("update", "Change a queue's delivery delay or message retention.") { name, DeliveryDelay, Retention };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (_, dir) = t.Resolve(parse);
            using var data = new LocalData(dir);
            var queue = Existing(data, parse.GetValue(name)!);
            await data.Queues.Queue(queue).UpdateSettingsAsync(parse.GetValue(DeliveryDelay), parse.GetValue(Retention), ct);
            stdout.WriteLine($"Updated queue {queue}.");
        }));
        return cmd;
    }

    private static Command Delete(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var name = new Argument<string>("name") { Description = "The queue's name." };
        var cmd = new Command("delete", "Delete a queue and its messages.") { name };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var (_, dir) = t.Resolve(parse);
            using var data = new LocalData(dir);
            var queue = Existing(data, parse.GetValue(name)!);
            data.Queues.Delete(queue);
            stdout.WriteLine($"Deleted queue {queue}.");
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command Info(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var name = new Argument<string>("name") { Description = "The queue's name." };
        var cmd = new Command("info", "Show a queue's settings, producers, consumer and backlog.") { name };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var (configs, dir) = t.Resolve(parse);
            using var data = new LocalData(dir);
            var queue = parse.GetValue(name)!;
            if (!data.Queues.Exists(queue) && !configs.SelectMany(Named).Contains(queue))
                throw new CliException($"No queue \"{queue}\" in {dir} or in the configs. flint queues list shows the queues.");
            // Opening a log creates it: a queue only the configs name is described without one.
            var log = data.Queues.Exists(queue) ? data.Queues.Queue(queue) : null;
            var s = log?.Settings ?? new QueueSettings(0, QueueLimits.DefaultRetentionSeconds, 0);
            stdout.WriteLine($"Queue Name: {queue}");
            stdout.WriteLine(log is null ? "Created On: not yet (when a Worker first sends to it, or with flint queues create)" : $"Created On: {DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedMs):O}");
            stdout.WriteLine($"Delivery Delay: {s.DeliveryDelaySeconds} s");
            stdout.WriteLine($"Message Retention: {s.RetentionSeconds} s");
            var producers = Producers(configs, queue).ToList();
            stdout.WriteLine($"Number of Producers: {producers.Count}");
            foreach (var p in producers) stdout.WriteLine($"  {p}");
            var consumers = Consumers(configs, queue).ToList();
            stdout.WriteLine($"Number of Consumers: {consumers.Count}");
            foreach (var (worker, c) in consumers) stdout.WriteLine($"  worker:{worker} ({Describe(c)})");
            var metrics = log?.Metrics() ?? default;
            stdout.WriteLine($"Messages: {log?.Count() ?? 0} ({metrics.BacklogCount} waiting, {metrics.BacklogBytes} bytes)");
            foreach (var dlq in consumers.Select(c => c.Settings.DeadLetterQueue).OfType<string>())
                stdout.WriteLine($"Dead-letter queue: {dlq} ({(data.Queues.Exists(dlq) ? data.Queues.Queue(dlq).Count() : 0)} messages)");
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static readonly Option<bool> DeadLetter = new("--dead-letter") { Description = "Act on the queue's dead-letter queue (its consumer's dead_letter_queue)." };

    private static Command Messages(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var name = new Argument<string>("name") { Description = "The queue's name." };
        var limit = new Option<int>("--limit") { Description = "Show at most this many messages, oldest first (default 50).", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print JSON with whole bodies (bytes and v8 bodies in base64)." };
        var cmd = new Command("messages", "Show the messages waiting in a queue (or its dead-letter queue).") { name, DeadLetter, limit, json };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var (configs, dir) = t.Resolve(parse);
            using var data = new LocalData(dir);
            var queue = Existing(data, TargetQueue(parse, configs, parse.GetValue(name)!));
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var messages = data.Queues.Queue(queue).List(Math.Max(1, parse.GetValue(limit)));
            if (parse.GetValue(json))
            {
                var list = new JsonArray(messages.Select(m => (JsonNode)new JsonObject
                {
                    ["id"] = m.Id,
                    ["timestamp"] = DateTimeOffset.FromUnixTimeMilliseconds(m.TimestampMs).ToString("O"),
                    ["contentType"] = m.ContentType,
                    ["failedAttempts"] = m.FailedAttempts,
                    ["state"] = State(m, now),
                    ["body"] = BodyText(m, int.MaxValue),
                }).ToArray());
                stdout.WriteLine(list.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return Task.CompletedTask;
            }
            if (messages.Count == 0)
            {
                stdout.WriteLine($"Queue {queue} has no messages.");
                return Task.CompletedTask;
            }
            WriteTable(stdout, ["id", "sent", "type", "failed", "state", "body"], messages.Select(m => new[]
            {
                m.Id, DateTimeOffset.FromUnixTimeMilliseconds(m.TimestampMs).ToString("u"), m.ContentType, m.FailedAttempts.ToString(), State(m, now), BodyText(m, 60),
            }).ToList());
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command Purge(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var name = new Argument<string>("name") { Description = "The queue's name." };
        var cmd = new Command("purge", "Delete every message of a queue (or of its dead-letter queue).") { name, DeadLetter };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (configs, dir) = t.Resolve(parse);
            using var data = new LocalData(dir);
            var queue = Existing(data, TargetQueue(parse, configs, parse.GetValue(name)!));
            var count = await data.Queues.Queue(queue).PurgeAsync(ct);
            stdout.WriteLine($"Purged {count} message{(count == 1 ? "" : "s")} from queue {queue}.");
        }));
        return cmd;
    }

    private static Command ConsumerAdd(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var queue = new Argument<string>("queue-name") { Description = "The queue to consume." };
        var script = new Argument<string?>("script-name") { Description = "The consumer Worker's name (checked against the config).", Arity = ArgumentArity.ZeroOrOne };
        var batchSize = new Option<int?>("--batch-size") { Description = "max_batch_size: messages per batch (1 to 100; default 10)." };
        var batchTimeout = new Option<int?>("--batch-timeout") { Description = "max_batch_timeout: seconds a batch waits to fill (0 to 60; default 5)." };
        var retries = new Option<int?>("--message-retries") { Description = "max_retries: retries before a message is dead-lettered or dropped (0 to 100; default 3)." };
        var dlq = new Option<string?>("--dead-letter-queue") { Description = "dead_letter_queue: where messages go after their last retry." };
        var concurrency = new Option<int?>("--max-concurrency") { Description = "max_concurrency: batches delivered at once (1 to 250)." };
        var retryDelay = new Option<int?>("--retry-delay-secs") { Description = "retry_delay: seconds a retried message waits (0 to 43200)." };
        var cmd = new Command("add", "Make the config's Worker the queue's consumer (adds a queues.consumers entry).")
        {
            queue, script, batchSize, batchTimeout, retries, dlq, concurrency, retryDelay,
        };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var config = ConsumerConfig(parse, t, script);
            var name = ValidName(parse.GetValue(queue)!);
            var settings = new List<(string, object)>();
            void Add(string key, object? value) { if (value is not null) settings.Add((key, value)); }
            Add("max_batch_size", parse.GetValue(batchSize));
            Add("max_batch_timeout", parse.GetValue(batchTimeout));
            Add("max_retries", parse.GetValue(retries));
            Add("dead_letter_queue", parse.GetValue(dlq));
            Add("max_concurrency", parse.GetValue(concurrency));
            Add("retry_delay", parse.GetValue(retryDelay));
            // The same range checks flint dev makes when it loads the config.
            QueueConsumerSettings.From(new QueueConsumerConfig(name, parse.GetValue(batchSize), parse.GetValue(batchTimeout), parse.GetValue(retries),
                parse.GetValue(dlq), parse.GetValue(concurrency), parse.GetValue(retryDelay)), config.ConfigPath!);
            QueueConfigEditor.Add(config.ConfigPath!, parse.GetValue(t.Env), new QueueConfigEditor.ConsumerEntry(name, settings));
            stdout.WriteLine($"Added Worker {config.Name} as the consumer of queue {name} in {config.ConfigPath}. A running flint dev picks it up when it reloads the config.");
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command ConsumerRemove(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var queue = new Argument<string>("queue-name") { Description = "The queue." };
        var script = new Argument<string?>("script-name") { Description = "The consumer Worker's name (checked against the config).", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("remove", "Stop the config's Worker consuming the queue (removes its queues.consumers entry); the messages stay.") { queue, script };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var config = ConsumerConfig(parse, t, script);
            var name = parse.GetValue(queue)!;
            if (!QueueConfigEditor.Remove(config.ConfigPath!, parse.GetValue(t.Env), name))
                throw new CliException($"{config.ConfigPath} has no consumer for queue \"{name}\".");
            stdout.WriteLine($"Removed Worker {config.Name} as the consumer of queue {name} from {config.ConfigPath}.");
            return Task.CompletedTask;
        }));
        return cmd;
    }

    /// <summary>The one config a consumer command edits, checked against the Worker name given.</summary>
    private static WorkerConfig ConsumerConfig(ParseResult parse, Target t, Argument<string?> script)
    {
        var (configs, _) = t.Resolve(parse, needConfig: true);
        if (configs.Count != 1) throw new CliException("Give the consumer Worker's config once: -c DIR|FILE.");
        var config = configs[0];
        if (config.ConfigPath is null) throw new CliException("The consumer needs a config file (wrangler.toml / wrangler.json) to edit.");
        if (parse.GetValue(script) is { } worker && worker != config.Name)
            throw new CliException($"{config.ConfigPath} is Worker \"{config.Name}\", not \"{worker}\". Point -c at {worker}'s config.");
        return config;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static IEnumerable<string> Named(WorkerConfig c) =>
        c.Bindings.QueueProducers.Select(p => p.Queue)
            .Concat(c.Bindings.QueueConsumers.Select(q => q.Queue))
            .Concat(c.Bindings.QueueConsumers.Select(q => q.DeadLetterQueue).OfType<string>());

    private static IEnumerable<string> Producers(IEnumerable<WorkerConfig> configs, string queue) =>
        configs.SelectMany(c => c.Bindings.QueueProducers.Where(p => p.Queue == queue).Select(p => $"worker:{c.Name} (env.{p.Binding})"));

    private static IEnumerable<(string Worker, QueueConsumerSettings Settings)> Consumers(IEnumerable<WorkerConfig> configs, string queue) =>
        configs.SelectMany(c => c.Bindings.QueueConsumers.Where(q => q.Queue == queue).Select(q => (c.Name, QueueConsumerSettings.From(q, c.ConfigPath ?? c.Main))));

    private static string Describe(QueueConsumerSettings c) =>
        $"max_batch_size {c.MaxBatchSize}, max_batch_timeout {c.MaxBatchTimeout.TotalSeconds} s, max_retries {c.MaxRetries}, " +
        $"dead_letter_queue {c.DeadLetterQueue ?? "none"}, max_concurrency {c.MaxConcurrency}, retry_delay {c.RetryDelaySeconds} s";

    /// <summary>The queue named, or with --dead-letter the dead-letter queue its consumer in the configs names.</summary>
    private static string TargetQueue(ParseResult parse, IReadOnlyList<WorkerConfig> configs, string queue)
    {
        if (!parse.GetValue(DeadLetter)) return queue;
        var consumer = Consumers(configs, queue).FirstOrDefault();
        if (consumer.Worker is null) throw new CliException($"No config names a consumer for queue \"{queue}\", so it has no dead-letter queue here. Pass the consumer's config with -c, or name the dead-letter queue itself.");
        return consumer.Settings.DeadLetterQueue ?? throw new CliException($"Queue \"{queue}\"'s consumer ({consumer.Worker}) has no dead_letter_queue.");
    }

    private static string Existing(LocalData data, string queue) =>
        data.Queues.Exists(queue) ? queue : throw new CliException($"No queue \"{queue}\" in {data.Directory}. flint queues list shows the queues.");

    /// <summary>Cloudflare's rule for queue names: lowercase letters, digits and dashes, at most 63.</summary>
    private static string ValidName(string name) =>
        name.Length is > 0 and <= 63 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            ? name
            : throw new CliException($"\"{name}\" is not a valid queue name: use lowercase letters, digits and dashes (at most 63).");

    private static string State(StoredMessage m, long now) =>
        m.DeadLetterTo is { } dlq ? $"moving to {dlq}"
        : m.VisibleAtMs > now ? $"delayed until {DateTimeOffset.FromUnixTimeMilliseconds(m.VisibleAtMs):u}"
        : "ready";

    private static string BodyText(StoredMessage m, int max)
    {
        var text = m.ContentType is QueueContentTypes.Text or QueueContentTypes.Json ? Encoding.UTF8.GetString(m.Body) : Convert.ToBase64String(m.Body);
        return text.Length <= max ? text : text[..max] + "…";
    }

    private static void WriteTable(TextWriter stdout, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
        stdout.WriteLine(Line(header));
        foreach (var row in rows) stdout.WriteLine(Line(row));
    }

    private static Task<int> Run(TextWriter stderr, Func<Task> action) => KvCommands.Run(stderr, async () =>
    {
        try { await action(); }
        catch (QueueException ex) { throw new CliException(ex.Message); }
    });
}
