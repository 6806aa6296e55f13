namespace Deepscope.Data;

public enum Split { Train, Test }

/// <summary>A public dataset: its files, where they come from, and how to read a split from its folder.</summary>
public abstract class DatasetSpec(string name, IReadOnlyList<string> classes, IReadOnlyList<RemoteFile> downloads)
{
    /// <summary>The CLI name, also the folder under the data directory.</summary>
    public string Name { get; } = name;
    public IReadOnlyList<string> Classes { get; } = classes;
    public IReadOnlyList<RemoteFile> Downloads { get; } = downloads;
    /// <summary>One line for listings.</summary>
    public string Description { get; init; } = "";
    /// <summary>Images in the official train and test splits.</summary>
    public (int Train, int Test) Sizes { get; init; }
    /// <summary>Shape of one image, (C, H, W).</summary>
    public int[] ImageShape { get; init; } = [];

    /// <summary>Classes, split sizes, image shape and the official source, for <c>deepscope list datasets</c>.</summary>
    public string Facts => string.Format(System.Globalization.CultureInfo.InvariantCulture,
        "{0} classes, {1:N0} train + {2:N0} test images of {3}; source {4}", Classes.Count, Sizes.Train, Sizes.Test,
        string.Join("x", ImageShape), Downloads.Count > 0 && Downloads[0].Urls.Count > 0 ? Downloads[0].Urls[^1][..(Downloads[0].Urls[^1].LastIndexOf('/') + 1)] : "none");

    /// <summary>True when the folder holds what <see cref="Load"/> needs for both splits.</summary>
    public abstract bool IsPresent(string folder);

    public abstract LabeledImages Load(string folder, Split split);

    /// <summary>Remarks on an incomplete but usable copy (e.g. missing training batches).</summary>
    public virtual IReadOnlyList<string> Notes(string folder) => [];
}
