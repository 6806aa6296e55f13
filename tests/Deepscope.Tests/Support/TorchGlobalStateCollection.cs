namespace Deepscope.Tests.Support;

/// <summary>
/// Tests that compare two trainings bit for bit: libtorch's default random generator and its thread count are per
/// process, so a test running beside them (seeding, drawing dropout masks, or a fixture restoring the thread count)
/// would change their numbers. Collections with parallelization disabled run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalStateCollection
{
    public const string Name = "torch global state";
}
