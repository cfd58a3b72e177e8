namespace Flint.Server.Tests.Support;

/// <summary>
/// Tests that run by themselves, after the parallel ones: they judge memory, and the watchdog's
/// measure of a turn's growth is the whole process's native memory, which the other tests of the
/// process move by more than a Worker's heap limit while they run alongside.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
