using System.Diagnostics;

namespace Deepscope.Tests.Support;

/// <summary>
/// Debian's /usr/bin/python3 as a reference implementation (scikit-image, mrcfile): runs a script and returns its
/// standard output, skipping the test when python3 or a module it imports is absent.
/// </summary>
public static class PythonPeer
{
    const string Python = "/usr/bin/python3";

    public static void Require(params string[] modules)
    {
        if (!File.Exists(Python)) Assert.Skip($"{Python} is absent");
        var (exit, _, _) = Exec($"import {string.Join(", ", modules)}", []);
        if (exit != 0) Assert.Skip($"{Python} cannot import {string.Join(", ", modules)} (apt install python3-skimage python3-mrcfile)");
    }

    public static string Run(string script, params string[] args)
    {
        var (exit, stdout, stderr) = Exec(script, args);
        Assert.True(exit == 0, $"python3 failed: {stderr}");
        return stdout;
    }

    static (int Exit, string Stdout, string Stderr) Exec(string script, string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(); return (-1, stdout, "timed out"); }
        return (process.ExitCode, stdout, stderr.Result);
    }
}
