using Deepscope.Catalogs;
using Deepscope.Studies;

namespace Deepscope.Experiments;

/// <summary>An experiment file read and checked: which study, with which options, under which name and seed.</summary>
public sealed record StudyPlan(string Name, long Seed, string? DataDir, string StudyName, object Options, string SourceFile, string SourceText)
{
    public IStudy CreateStudy() => StudyCatalog.Catalog.Get(StudyName).Create(Options);
}

/// <summary>
/// Reads experiment files: the host's keys (<c>study</c>, <c>name</c>, <c>seed</c>, <c>data_dir</c>), then the study's
/// options, bound onto its options record (the study's own <c>FromYaml(YamlMap)</c> when its record has one). Every
/// problem names the file, line and column, before any work starts.
/// </summary>
public static class StudyFile
{
    /// <summary>The keys every experiment file may have, whatever its study.</summary>
    public static readonly string[] HostKeys = ["study", "name", "seed", "data_dir"];

    public static StudyPlan Load(string path)
    {
        var root = YamlMap.Load(path);
        var study = root.Choice("study", StudyCatalog.Catalog.Names, StudyCatalog.DefaultStudy)!;
        var name = root.String("name") ?? System.IO.Path.GetFileNameWithoutExtension(path);
        var seed = root.Int("seed", 0, min: 0)!.Value;
        var dataDir = root.String("data_dir");
        var options = ReadOptions(root, StudyCatalog.Catalog.Get(study).DefaultOptions());
        return new StudyPlan(name, seed, dataDir, study, options, System.IO.Path.GetFullPath(path), File.ReadAllText(path));
    }

    /// <summary>The study's options from the file's other keys (unknown keys are errors).</summary>
    static object ReadOptions(YamlMap root, object defaults)
    {
        var reader = defaults.GetType().GetMethod("FromYaml", [typeof(YamlMap)]);
        if (reader is { IsStatic: true } && reader.ReturnType == defaults.GetType())
        {
            try { return reader.Invoke(null, [root])!; }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is DeepscopeException inner)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
                throw;
            }
        }
        return YamlBinder.Bind(root, defaults);
    }
}
