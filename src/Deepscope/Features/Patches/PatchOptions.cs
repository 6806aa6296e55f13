using Deepscope.Catalogs;

namespace Deepscope.Features.Patches;

/// <summary>
/// How patches are cut from a painting: random crops (or a regular grid) of one size, of which the ones with the
/// highest pixel variance are kept (blank paper says nothing about the hand). The defaults are a student group's
/// recipe: 200 random 224x224 crops, the 100 with the highest variance kept.
/// </summary>
public sealed record PatchOptions
{
    [Param(Min = 8, Max = 2048, Description = "side of a square patch in pixels, at the common resolution")]
    public int Size { get; init; } = 224;

    [Param(Min = 1, Max = 100000, Description = "random crops drawn per painting (ignored with grid)")]
    public int Count { get; init; } = 200;

    [Param(Min = 1, Max = 100000, Description = "patches kept per painting: those with the highest variance")]
    public int Keep { get; init; } = 100;

    [Param(Description = "cut a regular grid of non-overlapping patches instead of random crops")]
    public bool Grid { get; init; }
}
