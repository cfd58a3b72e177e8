namespace Flint.Cli.Tests.Support;

/// <summary>
/// Tests of a `flint` subcommand run in-process against a project of their own: a temporary
/// folder with the config and the data directory `flint dev` would use for it.
/// </summary>
public abstract class CliProjectTests : IDisposable
{
    protected CliProjectTests(string prefix) => Dir = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The project's folder: its wrangler.toml, index.js and .flint data directory.</summary>
    protected string Dir { get; }

    public void Dispose()
    {
        Directory.Delete(Dir, true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <c>flint ARGS --config DIR</c> and returns its exit code and output.</summary>
    protected async Task<(int Code, string Out, string Err)> Flint(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await FlintCli.RunAsync([.. args, "--config", Dir], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
