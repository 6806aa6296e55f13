using Deepscope.Build;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Build;

/// <summary>The build step that marks libLibTorchSharp.so's GLIBCXX_3.4.32 need weak (build/TorchSharpGlibcxx.targets).</summary>
public class GlibcxxPatchTests
{
    const string Marker = "GLIBCXX_3.4.32";
    const ushort Weak = 0x2;

    static string OutputLibrary()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("the patch only applies to Linux builds");
        var path = new[] { "runtimes/linux-x64/native/libLibTorchSharp.so", "libLibTorchSharp.so" }
            .Select(p => Path.Combine(AppContext.BaseDirectory, p)).FirstOrDefault(File.Exists);
        if (path == null) Assert.Skip("libLibTorchSharp.so not in the test output (not a linux-x64 build)");
        return path;
    }

    static bool SystemHasMarker() =>
        new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6" }
            .Where(File.Exists).Any(p => ElfVersionNeeds.DefinesVersion(p, Marker));

    [Fact]
    public void OutputCopyIsWeakExactlyWhenTheSystemLibstdcxxLacksTheVersion()
    {
        var flags = ElfVersionNeeds.FindFlags(OutputLibrary(), Marker);
        Assert.NotNull(flags);
        Assert.Equal(!SystemHasMarker(), (flags.Value & Weak) != 0);
    }

    [Fact]
    public void PatchChangesOneFlagAndIsIdempotent()
    {
        using var dir = new TempDir();
        var copy = dir.File("lib.so");
        File.Copy(OutputLibrary(), copy);
        // Start from the package's state whatever the build did: the need not weak.
        var original = File.ReadAllBytes(copy);
        int entry = ElfVersionNeeds.FindVernaux(original, copy, Marker);
        Assert.True(entry > 0);
        original[entry + 4] &= unchecked((byte)~Weak);
        File.WriteAllBytes(copy, original);

        Assert.Equal(VersionNeedPatch.Patched, ElfVersionNeeds.MakeWeak(copy, Marker));
        var once = File.ReadAllBytes(copy);
        Assert.Equal(VersionNeedPatch.AlreadyWeak, ElfVersionNeeds.MakeWeak(copy, Marker));
        Assert.Equal(once, File.ReadAllBytes(copy));
        Assert.Equal(1, original.Zip(once).Count(p => p.First != p.Second));
        Assert.Equal(Weak, (ushort)(ElfVersionNeeds.FindFlags(copy, Marker)!.Value & Weak));
        // Other version needs keep their flags.
        Assert.Equal((ushort)0, ElfVersionNeeds.FindFlags(copy, "GLIBCXX_3.4.30"));
    }

    [Fact]
    public void AbsentVersionIsLeftAlone()
    {
        using var dir = new TempDir();
        var copy = dir.File("lib.so");
        File.Copy(OutputLibrary(), copy);
        Assert.Equal(VersionNeedPatch.NotRequired, ElfVersionNeeds.MakeWeak(copy, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void NonElfInputIsRejected()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("x.so"), "definitely not an ELF file, just text padding it out to 64 bytes......");
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MakeWeak(dir.File("x.so"), Marker));
    }

    [Fact]
    public void LibTorchLoadsAndComputes()
    {
        // Loading libLibTorchSharp is what the patch is for: a real op through it.
        using var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var product = a.matmul(a);
        Assert.Equal([7f, 10, 15, 22], product.data<float>().ToArray());
    }
}
