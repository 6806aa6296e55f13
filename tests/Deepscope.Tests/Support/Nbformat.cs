using System.Diagnostics;

namespace Deepscope.Tests.Support;

/// <summary>
/// Validates a notebook with Debian's python3-nbformat (the schema Jupyter itself checks on open), and compiles each
/// code cell, so a notebook that passes opens in Jupyter and every cell would run as written.
/// </summary>
public static class Nbformat
{
    const string Python = "/usr/bin/python3";

    // Warnings are errors: nbformat "repairs" some faults (missing cell ids) with only a warning.
    const string Script = """
        import sys, warnings
        warnings.simplefilter("error")
        import nbformat
        nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                compile(cell.source, cell.id, "exec")
        print(f"valid nbformat {nb.nbformat}.{nb.nbformat_minor}, {len(nb.cells)} cells")
        """;

    public static bool Available { get; } = File.Exists(Python) && Run("-c", "import nbformat").ExitCode == 0;

    /// <summary>The validator's verdict: exit code 0 and its summary line, or the error it printed.</summary>
    public static (int ExitCode, string Output) Validate(string notebook)
    {
        if (!Available) Assert.Skip("python3-nbformat not installed (apt-get install python3-nbformat): the notebook schema check is skipped");
        return Run("-c", Script, notebook);
    }

    static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, (output + error.Result).Trim());
    }
}
