namespace Deepscope.Tests.Support;

/// <summary>Trait values; the default suite (.ci/run) excludes <c>Category=Long</c>.</summary>
public static class Category
{
    public const string Name = "Category";
    /// <summary>Runs of minutes: full datasets, paper-scale targets. Run with <c>--filter Category=Long</c>.</summary>
    public const string Long = "Long";
}
