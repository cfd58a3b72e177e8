using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Flint.Engine.Config;
using MAB.DotIgnore;

namespace Flint.Engine.Assets;

/// <summary>One file of an assets directory: where it is, how big, its ETag and Content-Type.</summary>
public sealed record AssetFile(string UrlPath, string FullPath, long Length, DateTime LastWriteUtc, string ETag, string? ContentType);

/// <summary>
/// The files of an assets directory by URL path (<c>/dir/file.html</c>, as written on disk), as
/// wrangler's manifest lists them: every file under the directory except those <c>.assetsignore</c>
/// (gitignore syntax) names and the metafiles (<c>.assetsignore</c>, <c>_headers</c>, <c>_redirects</c>);
/// Cloudflare's limits of 100,000 files and 25 MiB per file. A symbolic link is followed only when
/// its target is inside the directory, so an asset never reads a file from elsewhere on the machine.
/// The ETag is wrangler dev's: a hash of the file's path and modification time, so it changes
/// whenever the file does without reading it.
/// </summary>
public sealed class AssetManifest
{
    public const int MaxAssetCount = 100_000;
    public const long MaxAssetSize = 25 * 1024 * 1024;
    public const string IgnoreFileName = ".assetsignore";

    private readonly Dictionary<string, AssetFile> _files;
    private readonly Dictionary<string, AssetFile> _byETag;

    private AssetManifest(string directory, Dictionary<string, AssetFile> files, IReadOnlyList<string> skipped)
    {
        Directory = directory;
        _files = files;
        _byETag = files.Values.ToDictionary(f => f.ETag, StringComparer.Ordinal);
        Skipped = skipped;
    }

    public string Directory { get; }
    public int Count => _files.Count;
    public IEnumerable<AssetFile> Files => _files.Values;
    /// <summary>Symbolic links left out because they point outside the directory.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>The file at a (decoded) URL path, or null.</summary>
    public AssetFile? Get(string urlPath) => _files.GetValueOrDefault(urlPath);

    /// <summary>The ETag of the file at a URL path, or null: the asset worker's <c>exists()</c>.</summary>
    public string? ETagOf(string urlPath) => _files.TryGetValue(urlPath, out var f) ? f.ETag : null;

    public AssetFile? ByETag(string etag) => _byETag.GetValueOrDefault(etag);

    /// <param name="metafiles">Names at the top of the directory that are configuration, not assets.</param>
    /// <param name="excluded">Directories never served (Flint's data directory when it is inside).</param>
    /// <param name="useIgnoreFile">Read <c>.assetsignore</c> (Workers assets; Pages has no such file).</param>
    /// <param name="enforceLimits">Refuse more files or larger files than Cloudflare accepts, as wrangler does.</param>
    public static AssetManifest Scan(string directory, IReadOnlyList<string> metafiles, IReadOnlyList<string> excluded,
        bool useIgnoreFile = true, bool enforceLimits = true, bool pagesContentTypes = false)
    {
        directory = Path.GetFullPath(directory);
        var patterns = metafiles.Select(m => "/" + m).ToList();
        var ignoreFile = Path.Combine(directory, IgnoreFileName);
        if (useIgnoreFile && File.Exists(ignoreFile))
            patterns.AddRange(File.ReadAllText(ignoreFile).Split('\n').Select(l => l.TrimEnd('\r')));
        var ignore = new IgnoreList(patterns.Where(p => p.Length > 0 && !p.StartsWith('#')));
        var root = RealPath(directory) ?? directory;
        var excludedFull = excluded.Select(e => Path.GetFullPath(e).TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
        var files = new Dictionary<string, AssetFile>(StringComparer.Ordinal);
        var skipped = new List<string>();

        void Walk(string dir, string relative)
        {
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                var rel = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                var isDirectory = entry is DirectoryInfo;
                if (excludedFull.Contains(entry.FullName)) continue;
                if (ignore.IsIgnored(rel, isDirectory)) continue;
                if (entry.LinkTarget is not null)
                {
                    var target = RealPath(entry.FullName);
                    if (target is null || !(target + "/").StartsWith(root + "/", StringComparison.Ordinal))
                    {
                        skipped.Add(entry.FullName);
                        continue;
                    }
                    // As wrangler: a link to a file is that file; a link to a directory is not walked.
                    if (System.IO.Directory.Exists(target)) continue;
                    entry.Refresh();
                    AddFile(new FileInfo(target), entry.FullName, rel);
                    continue;
                }
                if (isDirectory) Walk(entry.FullName, rel);
                else AddFile((FileInfo)entry, entry.FullName, rel);
            }
        }

        void AddFile(FileInfo file, string path, string rel)
        {
            if (enforceLimits && file.Length > MaxAssetSize)
            {
                throw new ConfigException(
                    "Asset too large.\n" +
                    $"Cloudflare Workers supports assets with sizes of up to {FormatMiB(MaxAssetSize)}. We found a file {path} with a size of {FormatMiB(file.Length)}.\n" +
                    $"Ensure all assets in your assets directory \"{directory}\" conform with the Workers maximum size requirement.");
            }
            var modified = file.LastWriteTimeUtc;
            files["/" + rel] = new AssetFile("/" + rel, file.FullName, file.Length, modified, ETag(path, modified), MimeTypes.ForFile(rel, pagesContentTypes));
        }

        Walk(directory, "");
        if (enforceLimits && files.Count > MaxAssetCount)
        {
            throw new ConfigException(
                "Maximum number of assets exceeded.\n" +
                $"Cloudflare Workers supports up to {MaxAssetCount.ToString("N0", CultureInfo.InvariantCulture)} assets in a version. We found {files.Count.ToString("N0", CultureInfo.InvariantCulture)} files in the specified assets directory \"{directory}\".\n" +
                "Ensure your assets directory contains a maximum of 100,000 files, and that you have specified your assets directory correctly.");
        }
        return new AssetManifest(directory, files, skipped);
    }

    /// <summary>wrangler dev's content hash: SHA-256 of the path and the modification time in milliseconds, first 16 bytes in hex.</summary>
    private static string ETag(string path, DateTime modifiedUtc)
    {
        var ms = (modifiedUtc - DateTime.UnixEpoch).Ticks / (double)TimeSpan.TicksPerMillisecond;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(path + ms.ToString("R", CultureInfo.InvariantCulture)), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    private static string FormatMiB(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / (1024.0 * 1024):0.#} MiB";

    private static string? RealPath(string path)
    {
        try
        {
            var info = new FileInfo(path);
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is not null) return Path.GetFullPath(target.FullName);
            var dir = new DirectoryInfo(path);
            var dirTarget = dir.ResolveLinkTarget(returnFinalTarget: true);
            if (dirTarget is not null) return Path.GetFullPath(dirTarget.FullName);
            // Resolve links in the parents too.
            var parent = Path.GetDirectoryName(Path.GetFullPath(path));
            if (parent is null) return Path.GetFullPath(path);
            var real = RealPath(parent);
            return Path.Combine(real ?? parent, Path.GetFileName(path));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
