using Microsoft.ClearScript.V8;

namespace Flint.JavaScript.Isolates;

/// <summary>Process-wide settings for V8, applied once before the first isolate exists.</summary>
internal static class V8ProcessSettings
{
    private static readonly Lazy<bool> s_applied = new(Apply);

    public static void EnsureApplied() => _ = s_applied.Value;

    private static bool Apply()
    {
        // V8's background work (concurrent GC, sweeping, compilation) reaches ClearScript as one
        // .NET thread-pool item and one finalizable callback object per task. A Worker that
        // allocates ArrayBuffers quickly makes V8 post tens of thousands of them a second, which
        // floods the finalizer: streaming ran at 300-500 MB/s and swelled past 1 GB at times.
        // On the isolate's own thread the same work costs less than the posting did
        // (bench/run.sh stream: 680 MB/s, steady).
        V8Settings.GlobalFlags |= V8GlobalFlags.DisableBackgroundWork;
        // Workers may not make code from strings, as on Cloudflare (see CodeGeneration).
        CodeGeneration.RefuseStringsProcessWide();
        return true;
    }
}
