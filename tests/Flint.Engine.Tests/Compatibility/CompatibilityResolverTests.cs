using Flint.Engine.Compatibility;
using Flint.Engine.Config;
using Flint.Engine.Tests.Config;

namespace Flint.Engine.Tests.Compatibility;

/// <summary>
/// Compatibility dates and flags resolve as in workerd 1.20261117.1; the messages are the ones it
/// printed for the same flags (run with `workerd serve` on a config naming them).
/// </summary>
public class CompatibilityResolverTests
{
    private static CompatibilityResolution Resolve(string date, params string[] flags) =>
        CompatibilityResolver.Resolve(date, flags, allowExperimental: false);

    [Fact]
    public void EnableDateTurnsABehaviourOnFromThatDate()
    {
        Assert.False(Resolve("2024-10-13").Settings.IsEnabled("upper_case_all_http_methods"));
        Assert.True(Resolve("2024-10-14").Settings.IsEnabled("upper_case_all_http_methods"));
    }

    [Fact]
    public void EnableFlagTurnsItOnEarlierAndDisableFlagKeepsItOff()
    {
        var early = Resolve("2024-01-01", "upper_case_all_http_methods");
        Assert.True(early.Settings.IsEnabled("upper_case_all_http_methods"));
        Assert.Empty(early.Errors);
        Assert.Empty(early.Warnings);

        var kept = Resolve("2025-01-01", "no_upper_case_all_http_methods");
        Assert.False(kept.Settings.IsEnabled("upper_case_all_http_methods"));
        Assert.Empty(kept.Warnings);
    }

    [Fact]
    public void NodejsCompatImpliesV2FromItsSwitchOverDate()
    {
        var before = Resolve("2024-09-22", "nodejs_compat").Settings;
        Assert.True(before.IsEnabled("nodejs_compat"));
        Assert.False(before.IsEnabled("nodejs_compat_v2"));

        var after = Resolve("2024-09-23", "nodejs_compat").Settings;
        Assert.True(after.IsEnabled("nodejs_compat_v2"));
        Assert.True(after.IsEnabled("nodejs_zlib"));

        var optedOut = Resolve("2024-09-23", "nodejs_compat", "no_nodejs_compat_v2").Settings;
        Assert.False(optedOut.IsEnabled("nodejs_compat_v2"));
    }

    [Fact]
    public void NodejsCompatIsTheDefaultFrom20260804()
    {
        Assert.False(Resolve("2026-08-03").Settings.IsEnabled("nodejs_compat"));
        var on = Resolve("2026-08-04").Settings;
        Assert.True(on.IsEnabled("nodejs_compat"));
        Assert.True(on.IsEnabled("nodejs_compat_v2"));
        Assert.True(on.IsEnabled("nodejs_compat_populate_process_env")); // implied by nodejs_compat from 2025-04-01
        Assert.False(Resolve("2026-08-04", "no_nodejs_compat").Settings.IsEnabled("nodejs_compat"));
    }

    [Fact]
    public void ImpliedBehavioursFollowOneAnotherInWorkerdsOrder()
    {
        // enable_nodejs_http_server_modules is implied by enable_nodejs_http_modules (from 2025-09-01),
        // which nodejs_compat implies from 2025-08-15.
        Assert.False(Resolve("2025-08-31", "nodejs_compat").Settings.IsEnabled("enable_nodejs_http_server_modules"));
        Assert.True(Resolve("2025-08-31", "nodejs_compat").Settings.IsEnabled("enable_nodejs_http_modules"));
        Assert.True(Resolve("2025-09-01", "nodejs_compat").Settings.IsEnabled("enable_nodejs_http_server_modules"));
        Assert.False(Resolve("2025-09-01", "nodejs_compat", "disable_nodejs_http_server_modules").Settings.IsEnabled("enable_nodejs_http_server_modules"));
    }

    [Fact]
    public void ErrorsAreWorkerdsWords()
    {
        Assert.Equal(["No such compatibility flag: bogus_flag"], Resolve("2025-01-01", "bogus_flag").Errors);
        Assert.Equal(["Compatibility flag specified multiple times: nodejs_als"], Resolve("2025-01-01", "nodejs_als", "nodejs_als").Errors);
        Assert.Equal(["Compatibility flags are mutually contradictory: nodejs_compat vs no_nodejs_compat"],
            Resolve("2025-01-01", "nodejs_compat", "no_nodejs_compat").Errors);
        Assert.Equal(["The compatibility flag durable_object_snapshots is experimental and may break or be removed in a future version of workerd. To use this flag, you must pass --experimental on the command line."],
            Resolve("2025-01-01", "durable_object_snapshots").Errors);
        Assert.Empty(CompatibilityResolver.Resolve("2025-01-01", ["durable_object_snapshots"], allowExperimental: true).Errors);
        Assert.Equal(["Invalid compatibility date: 2025-13-01"], Resolve("2025-13-01").Errors);
    }

    [Fact]
    public void AFlagTheDateAlreadyGivesIsAWarning()
    {
        var r = Resolve("2026-11-01", "nodejs_compat");
        Assert.Empty(r.Errors);
        Assert.Contains("The compatibility flag nodejs_compat became the default as of 2026-08-04 so does not need to be specified anymore.", r.Warnings);
        Assert.Contains("The compatibility flag r2_public_beta_bindings is the default, so does not need to be specified anymore.",
            Resolve("2025-01-01", "r2_public_beta_bindings").Warnings);
    }

    [Fact]
    public void AFlagFlintDoesNotActOnIsAWarningNamingIt()
    {
        var r = Resolve("2025-01-01", "html_rewriter_treats_esi_include_as_void_tag");
        Assert.Empty(r.Errors);
        Assert.Equal(["Flint does not implement the compatibility flag html_rewriter_treats_esi_include_as_void_tag yet: it has no effect here."], r.Warnings);

        // Flint's FormData always makes Files; asking for the old behaviour cannot be honoured.
        var old = Resolve("2025-01-01", "formdata_parser_converts_files_to_strings");
        Assert.Equal(["Flint does not implement the compatibility flag formdata_parser_converts_files_to_strings yet: Flint always behaves as formdata_parser_supports_files describes."], old.Warnings);

        // Flags only Cloudflare's network acts on are accepted quietly.
        Assert.Empty(Resolve("2021-01-01", "minimal_subrequests").Warnings);
    }

    [Fact]
    public void AskingForAnUnknownBehaviourIsAProgrammingError()
    {
        var settings = Resolve("2025-01-01").Settings;
        Assert.Throws<ArgumentException>(() => settings.IsEnabled("upper_case_all_http_method"));
        Assert.Throws<ArgumentException>(() => settings.IsEnabled("no_upper_case_all_http_methods")); // a disable name
    }

    [Fact]
    public void TheTableHasEveryFlagOnceWithWellFormedDates()
    {
        var names = WorkerdFlags.All.SelectMany(f => new[] { f.EnableFlag, f.DisableFlag }).OfType<string>().ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(WorkerdFlags.All.Where(f => f.EnableDate is not null), f => Assert.True(CompatibilityResolver.IsCompatibilityDate(f.EnableDate!), f.Field));
        Assert.All(WorkerdFlags.All.SelectMany(f => f.ImpliedBy).SelectMany(i => i.Fields), field => Assert.NotNull(WorkerdFlags.ByField(field)));
        Assert.All(FlintFlagSupport.Listed.Keys, name => Assert.True(WorkerdFlags.TryGetByName(name, out _, out var enables) && enables, name));
    }

    [Fact]
    public void ConfigWithAnUnknownFlagFailsNamingTheFileAndTheFlag()
    {
        using var w = TempWorker.Toml("compatibility_flags = [\"nodejs_compatt\"]\n");
        var ex = w.LoadFails();
        Assert.Contains(w.Path("wrangler.toml"), ex.Message);
        Assert.Contains("No such compatibility flag: nodejs_compatt", ex.Message);
    }

    [Fact]
    public void ConfigResolvesItsDateAndFlags()
    {
        using var w = TempWorker.Toml("compatibility_flags = [\"html_rewriter_treats_esi_include_as_void_tag\"]\n", header: "name = \"w\"\nmain = \"src/index.js\"\ncompatibility_date = \"2024-10-01\"\n");
        var (config, warnings) = w.Load();
        Assert.Equal("2024-10-01", config.Compatibility.Date);
        Assert.False(config.Compatibility.IsEnabled("upper_case_all_http_methods"));
        var warning = Assert.Single(warnings);
        Assert.Equal("compatibility_flags", warning.Key);
        Assert.Contains("html_rewriter_treats_esi_include_as_void_tag", warning.Message);

        var (later, _) = w.Load(compatibilityDate: "2024-10-14");
        Assert.True(later.Compatibility.IsEnabled("upper_case_all_http_methods"));
    }
}
