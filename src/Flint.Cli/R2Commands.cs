using System.CommandLine;
using System.Globalization;
using Flint.Engine.Config;
using Flint.Engine.R2;
using Flint.Engine.Storage;

namespace Flint.Cli;

/// <summary>
/// <c>flint r2 …</c>, shaped like <c>wrangler r2 … --local</c>: buckets and objects in the data
/// directory <c>flint dev</c> uses for the same Worker (<c>.flint/</c> beside its config, or --persist-to).
/// Objects stream from and to files or pipes, never read whole.
/// </summary>
internal static class R2Commands
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var r2 = new Command("r2", "Manage R2 buckets and objects in Flint's local data.");
        var bucket = new Command("bucket", "Create, list and delete buckets.");
        bucket.Subcommands.Add(BucketCreate(stdout, stderr));
        bucket.Subcommands.Add(BucketList(stdout, stderr));
        bucket.Subcommands.Add(BucketDelete(stdout, stderr));
        var obj = new Command("object", "Put, get and delete objects.");
        obj.Subcommands.Add(ObjectPut(stdout, stderr));
        obj.Subcommands.Add(ObjectGet(stdout, stderr));
        obj.Subcommands.Add(ObjectDelete(stdout, stderr));
        r2.Subcommands.Add(bucket);
        r2.Subcommands.Add(obj);
        return r2;
    }

    /// <summary>The options every command takes to find the data directory.</summary>
    private sealed class Target
    {
        public readonly Option<string?> Config = new("--config", "-c") { Description = "The Worker's directory or wrangler config file (default: the current directory)." };
        public readonly Option<string?> Env = new("--env", "-e") { Description = "Use the [env.NAME] section of the config." };
        public readonly Option<string?> PersistTo = new("--persist-to") { Description = "Flint's data directory (default: .flint beside the config), as for flint dev." };

        public void AddTo(Command c)
        {
            c.Options.Add(Config);
            c.Options.Add(Env);
            c.Options.Add(PersistTo);
        }

        public string DataDirectory(ParseResult parse)
        {
            if (parse.GetValue(PersistTo) is { } persist) return Path.GetFullPath(persist);
            var target = Path.GetFullPath(parse.GetValue(Config) ?? ".");
            return ConfigLoader.Load(new ConfigLoadOptions { Target = target, Environment = parse.GetValue(Env) }).Config.PersistDirectory;
        }
    }

    private static string CheckBucketName(string name) => R2Storage.IsValidBucketName(name) ? name
        : throw new CliException($"\"{name}\" is not a valid bucket name: use 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.");

    /// <summary>Splits BUCKET/KEY as wrangler does: the bucket up to the first slash, the key after it.</summary>
    private static (string Bucket, string Key) ObjectPath(string path)
    {
        var slash = path.IndexOf('/');
        if (slash <= 0 || slash == path.Length - 1) throw new CliException($"\"{path}\" is not an object path: write it as BUCKET/KEY, e.g. my-bucket/images/cat.png.");
        return (CheckBucketName(path[..slash]), path[(slash + 1)..]);
    }

    private static R2BucketStore ExistingBucket(LocalData data, string name) =>
        data.R2.Exists(name) ? data.R2.Bucket(name) : throw new CliException($"The bucket \"{name}\" does not exist in {data.R2.Root}. Create it with flint r2 bucket create {name}.");

    private static Command BucketCreate(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var name = new Argument<string>("name") { Description = "The bucket's name." };
        var cmd = new Command("create", "Create a bucket.") { name };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var bucket = CheckBucketName(parse.GetValue(name)!);
            using var data = new LocalData(t.DataDirectory(parse));
            stdout.WriteLine($"Creating bucket '{bucket}'.");
            if (!data.R2.Create(bucket)) throw new CliException($"A bucket with the name \"{bucket}\" already exists.");
            stdout.WriteLine($"Created bucket '{bucket}'.");
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command BucketList(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var cmd = new Command("list", "List the buckets.");
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            using var data = new LocalData(t.DataDirectory(parse));
            foreach (var b in data.R2.List())
            {
                stdout.WriteLine($"name:           {b.Name}");
                stdout.WriteLine($"creation_date:  {DateTimeOffset.FromUnixTimeMilliseconds(b.Created).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}");
                stdout.WriteLine();
            }
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command BucketDelete(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var name = new Argument<string>("name") { Description = "The bucket to delete (it must be empty)." };
        var cmd = new Command("delete", "Delete an empty bucket.") { name };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var bucket = CheckBucketName(parse.GetValue(name)!);
            using var data = new LocalData(t.DataDirectory(parse));
            stdout.WriteLine($"Deleting bucket {bucket}.");
            try
            {
                if (!data.R2.Delete(bucket)) throw new CliException($"The bucket \"{bucket}\" does not exist.");
            }
            catch (InvalidOperationException ex)
            {
                throw new CliException(ex.Message);
            }
            stdout.WriteLine($"Deleted bucket {bucket}.");
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command ObjectPut(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var path = new Argument<string>("objectPath") { Description = "Where to store it: BUCKET/KEY." };
        var file = new Option<string?>("--file", "-f") { Description = "The file to upload." };
        var pipe = new Option<bool>("--pipe", "-p") { Description = "Read the object from standard input instead of --file." };
        var contentType = new Option<string?>("--content-type", "--ct") { Description = "The object's Content-Type." };
        var disposition = new Option<string?>("--content-disposition", "--cd") { Description = "The object's Content-Disposition." };
        var encoding = new Option<string?>("--content-encoding", "--ce") { Description = "The object's Content-Encoding." };
        var language = new Option<string?>("--content-language", "--cl") { Description = "The object's Content-Language." };
        var cacheControl = new Option<string?>("--cache-control", "--cc") { Description = "The object's Cache-Control." };
        var expires = new Option<string?>("--expires") { Description = "When the object stops being cacheable (an HTTP or ISO 8601 date)." };
        var storageClass = new Option<string?>("--storage-class", "-s") { Description = "The object's storage class." };
        var cmd = new Command("put", "Store an object from a file or a pipe.") { path, file, pipe, contentType, disposition, encoding, language, cacheControl, expires, storageClass };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (bucket, key) = ObjectPath(parse.GetValue(path)!);
            var source = parse.GetValue(file);
            if ((source is null) == !parse.GetValue(pipe)) throw new CliException("Give the object either with --file FILE or with --pipe (standard input), exactly one of them.");
            long? expiry = null;
            if (parse.GetValue(expires) is { } e)
            {
                if (!DateTimeOffset.TryParse(e, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d))
                    throw new CliException($"--expires {e} is not a date: use e.g. \"2030-01-01T00:00:00Z\" or \"Tue, 01 Jan 2030 00:00:00 GMT\".");
                expiry = d.ToUnixTimeMilliseconds();
            }
            var options = new R2PutOptions
            {
                HttpMetadata = new R2HttpMetadata
                {
                    ContentType = parse.GetValue(contentType),
                    ContentDisposition = parse.GetValue(disposition),
                    ContentEncoding = parse.GetValue(encoding),
                    ContentLanguage = parse.GetValue(language),
                    CacheControl = parse.GetValue(cacheControl),
                    CacheExpiry = expiry,
                },
                StorageClass = parse.GetValue(storageClass),
            };
            using var data = new LocalData(t.DataDirectory(parse));
            stdout.WriteLine($"Creating object \"{key}\" in bucket \"{bucket}\".");
            await using var body = source is null ? Console.OpenStandardInput() : OpenRead(source);
            await data.R2.Bucket(bucket).PutAsync(key, body, options, ct);
            stdout.WriteLine("Upload complete.");
        }));
        return cmd;
    }

    private static Command ObjectGet(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var path = new Argument<string>("objectPath") { Description = "The object to read: BUCKET/KEY." };
        var file = new Option<string?>("--file", "-f") { Description = "Write it to this file (default: a file named after the key's last part)." };
        var pipe = new Option<bool>("--pipe", "-p") { Description = "Write it to standard output." };
        var cmd = new Command("get", "Write an object to a file or a pipe.") { path, file, pipe };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (bucket, key) = ObjectPath(parse.GetValue(path)!);
            var toPipe = parse.GetValue(pipe);
            if (toPipe && parse.GetValue(file) is not null) throw new CliException("Give either --file FILE or --pipe, not both.");
            using var data = new LocalData(t.DataDirectory(parse));
            await using var got = ExistingBucket(data, bucket).Get(key) ?? throw new CliException($"The object \"{key}\" does not exist in bucket \"{bucket}\".");
            await using var body = got.TakeBody();
            // Progress goes to stderr when the object itself goes to stdout.
            var log = toPipe ? stderr : stdout;
            log.WriteLine($"Downloading \"{key}\" from \"{bucket}\".");
            if (toPipe)
            {
                stdout.Flush();
                await using var output = Console.OpenStandardOutput();
                await body.CopyToAsync(output, ct);
            }
            else
            {
                var target = parse.GetValue(file) ?? Path.GetFileName(key);
                if (target.Length == 0) throw new CliException($"The key \"{key}\" ends with a slash: name the file with --file.");
                await using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                await body.CopyToAsync(output, ct);
            }
            log.WriteLine("Download complete.");
        }));
        return cmd;
    }

    private static Command ObjectDelete(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var path = new Argument<string>("objectPath") { Description = "The object to delete: BUCKET/KEY." };
        var cmd = new Command("delete", "Delete an object.") { path };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (bucket, key) = ObjectPath(parse.GetValue(path)!);
            using var data = new LocalData(t.DataDirectory(parse));
            stdout.WriteLine($"Deleting object \"{key}\" from bucket \"{bucket}\".");
            await ExistingBucket(data, bucket).DeleteAsync(key, ct);
            stdout.WriteLine("Delete complete.");
        }));
        return cmd;
    }

    private static FileStream OpenRead(string file)
    {
        try { return new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new CliException($"Cannot read {file}: {ex.Message}"); }
    }

    private static Task<int> Run(TextWriter stderr, Func<Task> action) => KvCommands.Run(stderr, async () =>
    {
        try
        {
            await action();
        }
        catch (R2Exception ex)
        {
            throw new CliException($"{ex.Message} ({ex.Code})");
        }
    });
}
