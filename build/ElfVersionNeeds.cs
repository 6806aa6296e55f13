// Marks one symbol-version requirement of an ELF64 shared library as weak (VER_FLG_WEAK), so the dynamic
// loader tolerates a libstdc++ that lacks it. Compiled twice: by MSBuild's RoslynCodeTaskFactory (with the
// task class below; netstandard2.0 API only) and by the test project (DEEPSCOPE_TESTS, logic only).
using System;
using System.IO;
using System.Text;

namespace Deepscope.Build
{
    public enum VersionNeedPatch { Patched, AlreadyWeak, NotRequired }

    public static class ElfVersionNeeds
    {
        const uint ShtGnuVerneed = 0x6ffffffe;
        const ushort VerFlagWeak = 0x2;

        /// <summary>True when the library defines (exports) the given symbol version, e.g. GLIBCXX_3.4.32.</summary>
        public static bool DefinesVersion(string libraryPath, string version)
        {
            // Version definitions are named in .dynstr; the zero-terminated name is enough to tell.
            var needle = Encoding.ASCII.GetBytes(version + "\0");
            var bytes = File.ReadAllBytes(libraryPath);
            for (int i = Array.IndexOf(bytes, needle[0]); i >= 0 && i <= bytes.Length - needle.Length; i = Array.IndexOf(bytes, needle[0], i + 1))
            {
                int k = 1;
                while (k < needle.Length && bytes[i + k] == needle[k]) k++;
                if (k == needle.Length) return true;
            }
            return false;
        }

        /// <summary>Flags of the version-need entry named <paramref name="version"/>, or null if the file has none.</summary>
        public static ushort? FindFlags(string path, string version)
        {
            var bytes = File.ReadAllBytes(path);
            var offset = FindVernaux(bytes, path, version);
            return offset < 0 ? null : BitConverter.ToUInt16(bytes, offset + 4);
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the version-need entry named <paramref name="version"/>. Writes a temporary file and
        /// renames it over the original, so a hard link into a package cache is never modified in place.
        /// </summary>
        public static VersionNeedPatch MakeWeak(string path, string version)
        {
            var bytes = File.ReadAllBytes(path);
            var offset = FindVernaux(bytes, path, version);
            if (offset < 0) return VersionNeedPatch.NotRequired;
            var flags = BitConverter.ToUInt16(bytes, offset + 4);
            if ((flags & VerFlagWeak) != 0) return VersionNeedPatch.AlreadyWeak;
            BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(bytes, offset + 4);
            var temp = path + ".weak-tmp";
            File.WriteAllBytes(temp, bytes);
            // Keep the timestamp so MSBuild's incremental copy sees the file as up to date and does not recopy it.
            File.SetLastWriteTimeUtc(temp, File.GetLastWriteTimeUtc(path));
            File.Replace(temp, path, null); // a rename: never writes through a hard link
            return VersionNeedPatch.Patched;
        }

        /// <summary>File offset of the Elf64_Vernaux entry named <paramref name="version"/> (its flags are at +4), or -1.</summary>
        public static int FindVernaux(byte[] b, string path, string version)
        {
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file");
            if (b[4] != 2 || b[5] != 1)
                throw new InvalidDataException($"{path}: only little-endian ELF64 is supported");
            long shoff = BitConverter.ToInt64(b, 0x28);
            int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                int sh = checked((int)(shoff + (long)i * shentsize));
                if (BitConverter.ToUInt32(b, sh + 4) != ShtGnuVerneed) continue;
                int sectionOffset = checked((int)BitConverter.ToInt64(b, sh + 0x18));
                int link = (int)BitConverter.ToUInt32(b, sh + 0x28);
                int strtab = checked((int)BitConverter.ToInt64(b, checked((int)(shoff + (long)link * shentsize)) + 0x18));
                for (int need = sectionOffset; ; )
                {
                    int count = BitConverter.ToUInt16(b, need + 2);
                    int aux = need + (int)BitConverter.ToUInt32(b, need + 8);
                    for (int a = 0; a < count; a++)
                    {
                        if (ReadCString(b, strtab + (int)BitConverter.ToUInt32(b, aux + 8)) == version) return aux;
                        aux += (int)BitConverter.ToUInt32(b, aux + 12);
                    }
                    uint next = BitConverter.ToUInt32(b, need + 12);
                    if (next == 0) break;
                    need += (int)next;
                }
            }
            return -1;
        }

        static string ReadCString(byte[] b, int start)
        {
            int end = Array.IndexOf(b, (byte)0, start);
            return Encoding.ASCII.GetString(b, start, end - start);
        }
    }

#if !DEEPSCOPE_TESTS
    /// <summary>MSBuild task: weakens the marker version need of libLibTorchSharp.so when the system libstdc++ lacks it.</summary>
    public class WeakenGlibcxxNeed : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string Directory { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string Version { get; set; } = "";
        public string LibraryName { get; set; } = "libLibTorchSharp.so";

        static readonly string[] LibstdcxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        public override bool Execute()
        {
            var target = Path.Combine(Directory, LibraryName);
            if (!File.Exists(target)) return true;
            var system = Array.Find(LibstdcxxCandidates, File.Exists);
            if (system == null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "Deepscope: no system libstdc++ found; {0} left as is.", target);
                return true;
            }
            if (ElfVersionNeeds.DefinesVersion(system, Version)) return true;
            var result = ElfVersionNeeds.MakeWeak(target, Version);
            if (result == VersionNeedPatch.Patched)
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "Deepscope: {0} lacks {1}; marked that version need weak in {2} (only the unused marker std::ios_base_library_init needs it).",
                    system, Version, target);
            return true;
        }
    }
#endif
}
