namespace Deepscope.Data;

public enum Split { Train, Test }

/// <summary>A public dataset: its files, where they come from, and how to read a split from its folder.</summary>
public abstract class DatasetSpec(string name, IReadOnlyList<string> classes, IReadOnlyList<RemoteFile> downloads)
{
    /// <summary>The CLI name, also the folder under the data directory.</summary>
    public string Name { get; } = name;
    public IReadOnlyList<string> Classes { get; } = classes;
    public IReadOnlyList<RemoteFile> Downloads { get; } = downloads;

    /// <summary>True when the folder holds what <see cref="Load"/> needs for both splits.</summary>
    public abstract bool IsPresent(string folder);

    public abstract LabeledImages Load(string folder, Split split);

    /// <summary>Remarks on an incomplete but usable copy (e.g. missing training batches).</summary>
    public virtual IReadOnlyList<string> Notes(string folder) => [];
}
